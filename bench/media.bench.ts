// Media repository throughput and memory (issue 7): a `cairn start` process takes a large upload
// as a streamed HTTP body and serves it back, with the local blob store and then with a Kubo
// daemon of its own (.ci/kubo.sh, port 45201, work dir /tmp/kubo-bench, wiped before and after).
// Each store runs two file sizes, each on a fresh server, and reports the server's RSS idle,
// peak during upload and peak during download: streaming means the larger file does not raise it.
// The servers use PGlite and, when CAIRN_TEST_DATABASE_URL names a server, also a scratch
// PostgreSQL database: PGlite's WebAssembly memory is most of an idle server's RSS.
// CAIRN_BENCH_MEDIA_MB (default 500) is the large size, CAIRN_BENCH_MEDIA_SMALL_MB (default a
// fifth of it) the small one. CAIRN_BENCH_CPU_PROF=<dir> starts the servers with --cpu-prof and
// prints each phase's profile window for bench/cpuprofile-top.ts.
import { execFileSync } from 'node:child_process';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import {
  type CairnProcess,
  newDataDir,
  REPO_ROOT,
  startCairn,
  testEnv,
} from '../conformance-tests/support/cairn-process.ts';
import {
  createScratchDatabase,
  dropScratchDatabase,
} from '../conformance-tests/support/databases.ts';
import type { BenchFigure } from './harness.ts';
import { processCpuSeconds, processMemory, resetPeakRss, sampleRss } from './process-stats.ts';

export const name = 'media';

const MB = 1_000_000;
const LARGE_MB = Number(process.env.CAIRN_BENCH_MEDIA_MB ?? '500');
const SMALL_MB = Number(process.env.CAIRN_BENCH_MEDIA_SMALL_MB ?? String(LARGE_MB / 5));
const KUBO_DIR = '/tmp/kubo-bench';
const KUBO_PORT = 45201;
const RSS_SAMPLE_MS = 20;
// A freshly started server holds start-up garbage (PGlite's initdb leaves about 300 MiB) until
// V8's memory reducer collects it, some 8 to 12 s after start; the idle reading waits for that,
// or a drop in the middle of a phase would hide growth.
const IDLE_SETTLE_MS = 20_000;
/** Pieces the bench generates the body in; the socket cuts them up its own way anyway. */
const PIECE = 1024 * 1024;
const PROFILE_DIR = process.env.CAIRN_BENCH_CPU_PROF;

type Store = 'local' | 'Kubo';
type Backend = 'PGlite' | 'PostgreSQL';
const POSTGRES_URL = process.env.CAIRN_TEST_DATABASE_URL || undefined;
const BACKENDS: readonly Backend[] = POSTGRES_URL ? ['PGlite', 'PostgreSQL'] : ['PGlite'];

interface Kubo {
  readonly apiUrl: string;
  readonly pid: number;
}

export async function run(): Promise<BenchFigure[]> {
  if (!(SMALL_MB > 0 && LARGE_MB > 0)) throw new Error('media sizes must be positive numbers');
  const figures: BenchFigure[] = [];
  for (const backend of BACKENDS) figures.push(...(await onStore('local', undefined, backend)));
  const kubo = startKubo();
  if (typeof kubo === 'string') {
    process.stdout.write(`  Kubo part skipped: ${kubo}\n`);
    figures.push(figure('Kubo store', 0, 0, `skipped: ${kubo}`));
    return figures;
  }
  try {
    for (const backend of BACKENDS) figures.push(...(await onStore('Kubo', kubo, backend)));
  } finally {
    stopKubo();
  }
  return figures;
}

async function onStore(store: Store, kubo: Kubo | undefined, backend: Backend) {
  const figures: BenchFigure[] = [];
  const aboveIdle: number[] = [];
  for (const sizeMb of [SMALL_MB, LARGE_MB]) {
    const result = await onFreshServer(store, kubo, backend, Math.round(sizeMb * MB));
    figures.push(...result.figures);
    aboveIdle.push(result.peakAboveIdle);
  }
  // Idle RSS differs by tens of MiB from one start to the next (PGlite, GC timing), so the runs
  // are compared by how far each peak rose above its own server's idle RSS.
  const growth = (aboveIdle[1]! - aboveIdle[0]!) / 2 ** 20;
  figures.push(
    figure(
      `server RSS growth ${SMALL_MB} -> ${LARGE_MB} MB file, ${store}, ${backend}`,
      0,
      0,
      `${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MiB: peak above idle ` +
        `${mib(aboveIdle[0])} (${SMALL_MB} MB) -> ${mib(aboveIdle[1])} (${LARGE_MB} MB)`,
    ),
  );
  return figures;
}

async function onFreshServer(
  store: Store,
  kubo: Kubo | undefined,
  backend: Backend,
  bytes: number,
): Promise<{ figures: BenchFigure[]; peakAboveIdle: number }> {
  const label = `${bytes / MB} MB, ${store}, ${backend}`;
  const log = (line: string) => process.stdout.write(`  [${label}] ${line}\n`);
  const dataDir = newDataDir();
  const databaseUrl = backend === 'PostgreSQL' ? await createScratchDatabase(POSTGRES_URL!) : '';
  const server = await startCairn(
    testEnv(dataDir, {
      CAIRN_ENABLE_REGISTRATION: 'true',
      CAIRN_MAX_UPLOAD_SIZE: String(bytes),
      ...(databaseUrl ? { CAIRN_DATABASE_URL: databaseUrl } : {}),
      ...(kubo ? { CAIRN_IPFS_API: kubo.apiUrl } : {}),
      ...(PROFILE_DIR ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${PROFILE_DIR}` } : {}),
    }),
  ).catch(async (error: unknown) => {
    if (databaseUrl) await dropScratchDatabase(POSTGRES_URL!, databaseUrl);
    throw error;
  });
  // Headers of the upload's reply come only once every byte is stored: no default timeouts.
  const agent = new Agent({ headersTimeout: 0, bodyTimeout: 0 });
  const serverPid = server.child.pid!;
  const pids = kubo ? [serverPid, kubo.pid] : [serverPid];
  try {
    const token = await register(server, agent);
    await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
    const idle = pids.map((pid) => processMemory(pid)?.rss);

    const upload = await timed(pids, () => uploadFile(server, agent, token, bytes));
    log(`upload ${describe(bytes, upload)}`);
    const download = await timed(pids, () => downloadFile(server, agent, token, upload.value));
    log(`download ${describe(bytes, download)}`);
    if (download.value.bytes !== bytes) {
      throw new Error(`downloaded ${download.value.bytes} bytes of ${bytes}`);
    }
    if (download.value.sha256 !== upload.value.sha256) {
      throw new Error('the downloaded bytes differ from the uploaded ones (sha256)');
    }

    const figures = [
      throughputFigure(`upload ${label}`, bytes, upload),
      throughputFigure(`download ${label}`, bytes, download),
      figure(`server RSS, ${label}`, 0, 0, describeMemory(0, idle, upload, download)),
    ];
    if (kubo) {
      figures.push(
        figure(
          `Kubo daemon RSS, ${label}`,
          0,
          0,
          `${describeMemory(1, idle, upload, download)}; one daemon for every run`,
        ),
      );
    }
    const peak = Math.max(upload.peaks[0] ?? 0, download.peaks[0] ?? 0);
    return { figures, peakAboveIdle: peak - (idle[0] ?? 0) };
  } finally {
    await server.stop();
    await agent.close();
    if (databaseUrl) await dropScratchDatabase(POSTGRES_URL!, databaseUrl);
    // 2 x 500 MB of blobs would otherwise stay in the temporary directory until the bench exits.
    rmSync(dataDir, { recursive: true, force: true });
  }
}

interface Uploaded {
  readonly serverName: string;
  readonly mediaId: string;
  readonly sha256: string;
}

/** POSTs `bytes` of pseudo-random content, generated while it is sent, with its length declared. */
async function uploadFile(
  server: CairnProcess,
  agent: Agent,
  token: string,
  bytes: number,
): Promise<Uploaded> {
  const hash = createHash('sha256');
  // AES-CTR's keystream under a fresh key: fast, and no two 256 KiB chunks alike, so neither
  // Kubo nor the local store can deduplicate blocks within a file or against an earlier run.
  const cipher = createCipheriv('aes-128-ctr', randomBytes(16), Buffer.alloc(16));
  const zeros = Buffer.alloc(PIECE);
  async function* body(): AsyncGenerator<Buffer> {
    for (let sent = 0; sent < bytes; sent += PIECE) {
      const piece = cipher.update(zeros.subarray(0, Math.min(PIECE, bytes - sent)));
      hash.update(piece);
      yield piece;
    }
  }
  const response = await request(`${server.clientUrl}/_matrix/media/v3/upload?filename=bench.bin`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/octet-stream',
      'content-length': String(bytes),
    },
    body: Readable.from(body(), { objectMode: false }),
    dispatcher: agent,
  });
  const json = (await response.body.json()) as { content_uri?: string };
  if (response.statusCode !== 200) {
    throw new Error(`upload: ${response.statusCode} ${JSON.stringify(json)}`);
  }
  const match = /^mxc:\/\/([^/]+)\/([^/]+)$/.exec(json.content_uri ?? '');
  if (!match) throw new Error(`upload: no content_uri in ${JSON.stringify(json)}`);
  return { serverName: match[1]!, mediaId: match[2]!, sha256: hash.digest('hex') };
}

/** GETs the media over the authenticated API, reading it to the end, counting and hashing it. */
async function downloadFile(
  server: CairnProcess,
  agent: Agent,
  token: string,
  media: Uploaded,
): Promise<{ bytes: number; sha256: string }> {
  const path = `/_matrix/client/v1/media/download/${encodeURIComponent(media.serverName)}/${encodeURIComponent(media.mediaId)}`;
  const response = await request(`${server.clientUrl}${path}`, {
    headers: { authorization: `Bearer ${token}` },
    dispatcher: agent,
  });
  if (response.statusCode !== 200) {
    throw new Error(`download: ${response.statusCode} ${await response.body.text()}`);
  }
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    hash.update(chunk);
  }
  return { bytes, sha256: hash.digest('hex') };
}

interface Timed<T> {
  readonly value: T;
  readonly ms: number;
  /** Per pid as passed to timed() (the server, then Kubo): VmRSS when the phase began. */
  readonly startRss: (number | undefined)[];
  /** Per pid: peak VmRSS, the higher of polling and the phase's own VmHWM. */
  readonly peaks: (number | undefined)[];
  /** Per pid: whether VmHWM was reset at the start, so that it is the phase's own peak. */
  readonly hwmReset: boolean[];
  /** Per pid: CPU seconds used during the phase. */
  readonly cpuSeconds: (number | undefined)[];
  readonly benchCpuSeconds: number;
}

/** Runs `phase`, timing it and watching the processes' memory and CPU time. */
async function timed<T>(pids: readonly number[], phase: () => Promise<T>): Promise<Timed<T>> {
  const hwmReset = pids.map(resetPeakRss);
  const startRss = pids.map((pid) => processMemory(pid)?.rss);
  const sampler = sampleRss(pids, RSS_SAMPLE_MS);
  const cpuBefore = pids.map(processCpuSeconds);
  const benchCpu = process.cpuUsage();
  const clockStart = monotonicMicroseconds();
  const start = performance.now();
  let value: T;
  try {
    value = await phase();
  } catch (error) {
    sampler.stop();
    throw error;
  }
  const ms = performance.now() - start;
  const peaks = sampler.stop().peaks.map((polled, i) => {
    const hwm = hwmReset[i] ? processMemory(pids[i]!)?.hwm : undefined;
    return polled === undefined || hwm === undefined ? polled : Math.max(polled, hwm);
  });
  if (PROFILE_DIR) {
    process.stdout.write(
      `  cpu profile window (pid ${pids[0]}): ${clockStart}-${monotonicMicroseconds()}\n`,
    );
  }
  const cpuSeconds = pids.map((pid, i) => {
    const [before, after] = [cpuBefore[i], processCpuSeconds(pid)];
    return before === undefined || after === undefined ? undefined : after - before;
  });
  const used = process.cpuUsage(benchCpu);
  return {
    value,
    ms,
    startRss,
    peaks,
    hwmReset,
    cpuSeconds,
    benchCpuSeconds: (used.user + used.system) / 1e6,
  };
}

function describe(bytes: number, phase: Timed<unknown>): string {
  const seconds = phase.ms / 1000;
  const cpu = (i: number) => phase.cpuSeconds[i]?.toFixed(1) ?? '?';
  return (
    `${seconds.toFixed(2)} s, ${(bytes / MB / seconds).toFixed(1)} MB/s; CPU: server ${cpu(0)} s, ` +
    `${phase.cpuSeconds.length > 1 ? `Kubo ${cpu(1)} s, ` : ''}` +
    `bench client ${phase.benchCpuSeconds.toFixed(1)} s (generating or hashing); ` +
    `server RSS peak ${mib(phase.peaks[0])}`
  );
}

function describeMemory(
  i: number,
  idle: readonly (number | undefined)[],
  upload: Timed<unknown>,
  download: Timed<unknown>,
): string {
  const above = (peak: number | undefined) =>
    peak === undefined || idle[i] === undefined
      ? ''
      : ` (${peak >= idle[i] ? '+' : ''}${mib(peak - idle[i])})`;
  const how =
    upload.hwmReset[i] && download.hwmReset[i]
      ? `VmHWM reset per phase, and VmRSS polled every ${RSS_SAMPLE_MS} ms`
      : `VmRSS polled every ${RSS_SAMPLE_MS} ms`;
  return (
    `idle ${mib(idle[i])}; peak during upload ${mib(upload.peaks[i])}${above(upload.peaks[i])}, ` +
    `during download ${mib(download.peaks[i])}${above(download.peaks[i])} ` +
    `(${mib(download.startRss[i])} as it began); ${how}`
  );
}

function throughputFigure(label: string, bytes: number, phase: Timed<unknown>): BenchFigure {
  const mbPerSecond = bytes / MB / (phase.ms / 1000);
  return figure(
    `${label} (ops/s = MB/s, µs/op = µs per MB)`,
    mbPerSecond,
    1e6 / mbPerSecond,
    describe(bytes, phase),
  );
}

function figure(name: string, opsPerSecond: number, microsecondsPerOp: number, note: string) {
  return { name, opsPerSecond, microsecondsPerOp, iterations: 1, note };
}

async function register(server: CairnProcess, agent: Agent): Promise<string> {
  // The dummy stage and no password: no scrypt hash to wait for.
  const response = await request(`${server.clientUrl}/_matrix/client/v3/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench', auth: { type: 'm.login.dummy' } }),
    dispatcher: agent,
  });
  const json = (await response.body.json()) as { access_token?: string };
  if (response.statusCode !== 200 || !json.access_token) {
    throw new Error(`register: ${response.statusCode} ${JSON.stringify(json)}`);
  }
  return json.access_token;
}

/** Starts the bench's own Kubo daemon on a fresh repo; a string says why there is none. */
function startKubo(): Kubo | string {
  const kubo = (args: string[]) =>
    execFileSync('bash', [join(REPO_ROOT, '.ci', 'kubo.sh'), ...args], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim();
  try {
    // Builds Kubo when it is not cached and Go is there; without Go it fails, and we skip.
    kubo(['install']);
  } catch {
    return 'no Kubo binary (`bash .ci/kubo.sh install` failed)';
  }
  // A fresh repo: blocks of an earlier run would make the datastore bigger and its puts cheaper.
  stopKubo();
  const apiUrl = kubo(['start', KUBO_DIR, String(KUBO_PORT)]);
  const pid = Number(readFileSync(join(KUBO_DIR, 'daemon.pid'), 'utf8'));
  return { apiUrl, pid };
}

/** Stops the daemon started in KUBO_DIR, if any, and deletes its repo (the uploaded blocks). */
function stopKubo(): void {
  execFileSync('bash', [join(REPO_ROOT, '.ci', 'kubo.sh'), 'stop', KUBO_DIR], {
    stdio: 'inherit',
  });
  rmSync(KUBO_DIR, { recursive: true, force: true });
}

function mib(bytes: number | undefined): string {
  return bytes === undefined ? '?' : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** The clock of V8's CPU profiles, for bench/cpuprofile-top.ts's window. */
function monotonicMicroseconds(): bigint {
  return process.hrtime.bigint() / 1000n;
}
