// `npm test`: runs every *.test.ts with Node's test runner. Storage tests run on both PGlite and
// PostgreSQL; when CAIRN_TEST_DATABASE_URL is not given, a throwaway PostgreSQL cluster is started
// on loopback for the run (needs the Debian `postgresql` package) and stopped afterwards.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const script = join(root, '.ci', 'postgres.sh');
const patterns = process.argv.slice(2);
const testGlobs = patterns.length
  ? patterns
  : [
      'server/**/*.test.ts',
      'federation/**/*.test.ts',
      'migrations/**/*.test.ts',
      'contracts/**/*.test.ts',
      'conformance-tests/**/*.test.ts',
      'bench/**/*.test.ts',
    ];

let clusterDir: string | undefined;
const env = { ...process.env };
if (!env.CAIRN_TEST_DATABASE_URL) {
  clusterDir = mkdtempSync(join(tmpdir(), 'cairn-pg-'));
  // initdb runs as the postgres user when we are root; it must be able to enter this directory.
  chmodSync(clusterDir, 0o755);
  const port = String(56000 + (process.pid % 1000));
  try {
    env.CAIRN_TEST_DATABASE_URL = execFileSync(
      'bash',
      [script, 'start', join(clusterDir, 'data'), port],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    ).trim();
    console.log(`test PostgreSQL at ${env.CAIRN_TEST_DATABASE_URL}`);
  } catch {
    rmSync(clusterDir, { recursive: true, force: true });
    clusterDir = undefined;
    if (env.CAIRN_TEST_REQUIRE_POSTGRES === 'true') {
      console.error('PostgreSQL could not be started and CAIRN_TEST_REQUIRE_POSTGRES=true');
      process.exit(1);
    }
    console.warn('WARNING: PostgreSQL not available; storage tests run on PGlite only');
  }
}

let status = 1;
try {
  const result = spawnSync(
    process.execPath,
    ['--test', '--test-concurrency=2', '--test-timeout=300000', '--test-force-exit', ...testGlobs],
    { cwd: root, env, stdio: 'inherit' },
  );
  status = result.status ?? 1;
} finally {
  if (clusterDir) {
    spawnSync('bash', [script, 'stop', join(clusterDir, 'data')], { stdio: 'inherit' });
    rmSync(clusterDir, { recursive: true, force: true });
  }
}
process.exit(status);
