import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import {
  DataDirLockedError,
  lockPgliteDataDir,
  pglitePidFile,
  readLivePglitePid,
} from './data-dir-lock.ts';

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-lock-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A pid that was alive a moment ago and is not any more. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

test('lock writes our pid and release removes it', async (t) => {
  const dir = await tempDir(t);
  assert.equal(readLivePglitePid(dir), undefined);
  const release = lockPgliteDataDir(dir);
  assert.equal(readFileSync(pglitePidFile(dir), 'utf8').trim(), String(process.pid));
  assert.equal(readLivePglitePid(dir), process.pid);
  assert.throws(() => lockPgliteDataDir(dir), DataDirLockedError);
  release();
  release();
  assert.equal(existsSync(pglitePidFile(dir)), false);
});

test('a pid file left by a dead process is replaced', async (t) => {
  const dir = await tempDir(t);
  writeFileSync(pglitePidFile(dir), `${await deadPid()}\n`);
  assert.equal(readLivePglitePid(dir), undefined);
  const release = lockPgliteDataDir(dir);
  assert.equal(readLivePglitePid(dir), process.pid);
  release();
});

test('a pid file naming this process, not taken by it, is stale (pid 1 in containers)', async (t) => {
  const dir = await tempDir(t);
  writeFileSync(pglitePidFile(dir), `${process.pid}\n`);
  assert.equal(readLivePglitePid(dir), undefined);
  lockPgliteDataDir(dir)();
});

test('an unreadable pid file is stale', async (t) => {
  const dir = await tempDir(t);
  writeFileSync(pglitePidFile(dir), 'not a pid');
  assert.equal(readLivePglitePid(dir), undefined);
  lockPgliteDataDir(dir)();
});

test('a live process holding the directory keeps it', async (t) => {
  const dir = await tempDir(t);
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
  t.after(() => child.kill());
  await new Promise((resolve) => child.once('spawn', resolve));
  writeFileSync(pglitePidFile(dir), `${child.pid}\n`);
  assert.equal(readLivePglitePid(dir), child.pid);
  assert.throws(
    () => lockPgliteDataDir(dir),
    (error: unknown) => error instanceof DataDirLockedError && error.pid === child.pid,
  );
  assert.equal(readFileSync(pglitePidFile(dir), 'utf8').trim(), String(child.pid));
});

test('release leaves a pid file that another process has since written', async (t) => {
  const dir = await tempDir(t);
  const release = lockPgliteDataDir(dir);
  writeFileSync(pglitePidFile(dir), '12345\n');
  release();
  assert.equal(readFileSync(pglitePidFile(dir), 'utf8'), '12345\n');
});
