import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import {
  DATABASE_KINDS,
  newUser,
  withTestDatabase,
} from '../../conformance-tests/support/databases.ts';
import { DataDirLockedError, readLivePglitePid } from './data-dir-lock.ts';
import { openDatabase, parseInt8, parseInt8Array } from './database.ts';
import { migrateToLatest } from './migrate.ts';
import { getUserById } from './users.ts';

test('parseInt8 gives safe integers and refuses the rest', () => {
  assert.equal(parseInt8('0'), 0);
  assert.equal(parseInt8('-42'), -42);
  assert.equal(parseInt8('9007199254740991'), Number.MAX_SAFE_INTEGER);
  assert.throws(() => parseInt8('9007199254740992'), RangeError);
});

test('parseInt8Array reads PostgreSQL array text', () => {
  assert.deepEqual(parseInt8Array('{}'), []);
  assert.deepEqual(parseInt8Array('{1,-2,NULL}'), [1, -2, null]);
  assert.deepEqual(parseInt8Array('{{1,2},{3,4}}'), [
    [1, 2],
    [3, 4],
  ]);
  assert.deepEqual(parseInt8Array('[0:1]={5,6}'), [5, 6]);
});

for (const kind of DATABASE_KINDS) {
  test(`${kind}: int8 values come back as numbers`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const alice = await newUser(db, 'alice', { now: Number.MAX_SAFE_INTEGER });
      assert.equal((await getUserById(db, alice.userId))?.createdTs, Number.MAX_SAFE_INTEGER);
      const { rows } = await sql<{ n: unknown; count: unknown; list: unknown }>`
        select 5::int8 as n, (select count(*) from users) as count,
               array[1, null, 3]::int8[] as list`.execute(db);
      assert.deepEqual(rows, [{ n: 5, count: 1, list: [1, null, 3] }]);
      await assert.rejects(sql`select 9007199254740993::int8 as n`.execute(db), RangeError);
    }));
}

test('pglite: the database persists across close and reopen', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'cairn-persist-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));

  const first = await openDatabase({ dataDir });
  assert.equal(first.dialect, 'pglite');
  await migrateToLatest(first.db);
  const alice = await newUser(first.db, 'alice');
  await first.close();

  const second = await openDatabase({ dataDir });
  try {
    assert.deepEqual(await getUserById(second.db, alice.userId), alice);
  } finally {
    await second.close();
  }
});

test('pglite: the data directory is held by a pid file while open', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'cairn-pidfile-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const pidFile = join(dataDir, 'pglite.pid');

  const opened = await openDatabase({ dataDir });
  try {
    assert.equal(readFileSync(pidFile, 'utf8').trim(), String(process.pid));
    assert.equal(readLivePglitePid(dataDir), process.pid);
    await assert.rejects(openDatabase({ dataDir }), DataDirLockedError);
  } finally {
    await opened.close();
  }
  await opened.close(); // a second close is harmless
  assert.equal(existsSync(pidFile), false);
  assert.equal(readLivePglitePid(dataDir), undefined);
});

test('pglite: a failed open gives the directory back', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'cairn-failed-open-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const opened = await openDatabase({ dataDir });
  await opened.close();
  // Damage the cluster so PostgreSQL refuses to start.
  await rm(join(dataDir, 'pglite', 'global'), { recursive: true });
  await assert.rejects(openDatabase({ dataDir }));
  assert.equal(readLivePglitePid(dataDir), undefined);
});

test('postgres: an unreachable server fails at open', async () => {
  await assert.rejects(
    openDatabase({ databaseUrl: 'postgres://cairn@127.0.0.1:1/cairn', dataDir: tmpdir() }),
    (error: { code?: string }) => error.code === 'ECONNREFUSED',
  );
});

test('postgres: openDatabase reports the dialect', (t) =>
  withTestDatabase(t, 'postgres', async (_db, { databaseUrl, dataDir }) => {
    const opened = await openDatabase({ databaseUrl, dataDir });
    try {
      assert.equal(opened.dialect, 'postgres');
      assert.equal(existsSync(join(dataDir, 'pglite.pid')), false);
    } finally {
      await opened.close();
    }
  }));
