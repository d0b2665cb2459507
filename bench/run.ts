// `npm run bench [-- <filter>...]`: runs every bench/*.bench.ts (or those whose file name contains
// a filter), prints a table and writes bench/results/<date-time>.json, so runs on different
// machines and commits can be compared.
// `npm run bench -- --compare synapse` runs bench/compare.ts instead (Synapse side by side).

import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { BenchFigure, BenchModule } from './harness.ts';

const BENCH_DIR = import.meta.dirname;
const RESULTS_DIR = join(BENCH_DIR, 'results');

interface ModuleResult {
  readonly module: string;
  readonly figures: readonly BenchFigure[];
}

async function main(filters: readonly string[]): Promise<void> {
  const files = (await readdir(BENCH_DIR))
    .filter((file) => file.endsWith('.bench.ts'))
    .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
    .sort();
  if (files.length === 0) throw new Error(`no bench/*.bench.ts matches ${filters.join(' ')}`);

  const results: ModuleResult[] = [];
  for (const file of files) {
    const module = (await import(join(BENCH_DIR, file))) as BenchModule;
    process.stdout.write(`running ${module.name} (${file})...\n`);
    const figures = await module.run();
    results.push({ module: module.name, figures });
    printTable(module.name, figures);
  }

  const report = { date: new Date().toISOString(), machine: machine(), results };
  await mkdir(RESULTS_DIR, { recursive: true });
  // Colons are not allowed in Windows file names.
  const path = join(RESULTS_DIR, `${report.date.replaceAll(':', '-')}.json`);
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\nwrote ${path}\n`);
}

function machine() {
  const list = cpus();
  return {
    cpuModel: list[0]?.model ?? 'unknown',
    cpuCount: list.length,
    totalMemoryBytes: totalmem(),
    node: process.version,
    v8: process.versions.v8,
    openssl: process.versions.openssl,
    platform: process.platform,
    arch: process.arch,
  };
}

function printTable(title: string, figures: readonly BenchFigure[]): void {
  const rows = figures.map((f) => [
    f.name,
    Math.round(f.opsPerSecond).toLocaleString('en-US'),
    f.microsecondsPerOp.toFixed(2),
    f.note ?? '',
  ]);
  const header = ['benchmark', 'ops/s', 'µs/op', 'note'];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] as string).length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === 1 || i === 2 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  process.stdout.write(`\n${title}\n${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
  process.stdout.write('\n');
}

const args = process.argv.slice(2);
if (args[0] === '--compare') {
  // Side by side with another homeserver: a different shape of run (servers as processes).
  const { runCompare } = await import('./compare.ts');
  await runCompare(args.slice(1));
} else {
  await main(args);
}
