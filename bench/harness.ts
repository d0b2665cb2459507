// What a bench module exports and the timing loop they share. A bench module is a file named
// bench/<name>.bench.ts exporting `name` and `run()`; bench/run.ts finds and runs it.

import { performance } from 'node:perf_hooks';

export interface BenchFigure {
  /** What was measured, e.g. "canonical JSON encode (ours)". */
  readonly name: string;
  readonly opsPerSecond: number;
  /** Mean time per operation, in microseconds. */
  readonly microsecondsPerOp: number;
  readonly iterations: number;
  readonly note?: string;
}

export interface BenchModule {
  readonly name: string;
  run(): Promise<BenchFigure[]>;
}

export interface MeasureOptions {
  /** Time to run before measuring, so the JIT has compiled the code under test. */
  readonly warmupMs?: number;
  /** Measuring stops at the first batch boundary after this long. */
  readonly minMs?: number;
  readonly note?: string;
}

// Results are folded into this module-level value so the JIT cannot drop a call whose result is
// unused.
let sink = 0;

/** Runs `fn` repeatedly, in growing batches to keep timer overhead out, and reports its rate. */
export function measure(
  name: string,
  fn: () => unknown,
  options: MeasureOptions = {},
): BenchFigure {
  const warmupMs = options.warmupMs ?? 200;
  const minMs = options.minMs ?? 1000;
  runFor(fn, warmupMs);
  const { iterations, elapsedMs } = runFor(fn, minMs);
  const opsPerSecond = (iterations / elapsedMs) * 1000;
  return {
    name,
    opsPerSecond,
    microsecondsPerOp: (elapsedMs * 1000) / iterations,
    iterations,
    ...(options.note === undefined ? {} : { note: options.note }),
  };
}

function runFor(fn: () => unknown, minMs: number): { iterations: number; elapsedMs: number } {
  let iterations = 0;
  let batch = 1;
  const start = performance.now();
  let elapsedMs = 0;
  while (elapsedMs < minMs) {
    for (let i = 0; i < batch; i++) sink ^= consume(fn());
    iterations += batch;
    elapsedMs = performance.now() - start;
    if (elapsedMs < minMs / 10) batch *= 2;
  }
  return { iterations, elapsedMs };
}

function consume(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Uint8Array) return value.length;
  return value === undefined ? 0 : 1;
}

/** The folded results; reading it is what keeps the measured calls alive. */
export function benchSink(): number {
  return sink;
}
