import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Migrator, NO_MIGRATIONS } from 'kysely/migration';
import { DATABASE_KINDS, withTestDatabase } from '../conformance-tests/support/databases.ts';
import { openDatabase } from '../server/storage/database.ts';
import {
  listAppliedMigrations,
  listMigrationNames,
  MigrationError,
  migrateToLatest,
  migrationProvider,
} from '../server/storage/migrate.ts';

// Every table the migrations create, so a migration that forgets one (or adds a stray) fails here.
const TABLES = [
  'access_tokens',
  'account_data',
  'anchor_epochs',
  'anchor_snapshots',
  'archive_event_blocks',
  'archive_rooms',
  'current_state',
  'device_inbox',
  'device_list_changes',
  'devices',
  'e2e_cross_signing_keys',
  'e2e_device_keys',
  'e2e_fallback_keys',
  'e2e_one_time_keys',
  'e2e_signatures',
  'ethereum_wallets',
  'event_push_actions',
  'event_relations',
  'event_txn_ids',
  'events',
  'federation_destinations',
  'federation_outbox',
  'federation_stream_positions',
  'filters',
  'key_backup_sessions',
  'key_backup_versions',
  'media',
  'media_thumbnails',
  'presence',
  'profiles',
  'receipts',
  'refresh_tokens',
  'registration_tokens',
  'remote_device_lists',
  'remote_invite_state',
  'room_aliases',
  'room_forgotten',
  'room_forward_extremities',
  'rooms',
  'server_keys',
  'server_metadata',
  'siwe_nonces',
  'state_group_entries',
  'state_groups',
  'to_device_remote_ids',
  'to_device_txn_ids',
  'uia_sessions',
  'users',
];

async function tableNames(db: Parameters<typeof listAppliedMigrations>[0]): Promise<string[]> {
  return (await db.introspection.getTables()).map((table) => table.name).sort();
}

test('the migrations directory holds the initial migration', async () => {
  const names = await listMigrationNames();
  assert.equal(names[0], '2026-11-21T00-00-00-initial');
  assert.deepEqual(names, names.toSorted());
});

test('a misnamed migration file is an error, not skipped', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-migrations-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'add-rooms.ts'), 'export async function up() {}\n');
  await writeFile(join(dir, 'add-rooms.test.ts'), '');
  await assert.rejects(listMigrationNames(dir), MigrationError);
});

for (const kind of DATABASE_KINDS) {
  test(`${kind}: migrations apply once; a second run is a no-op`, (t) =>
    withTestDatabase(
      t,
      kind,
      async (db) => {
        const names = await listMigrationNames();
        assert.deepEqual(await listAppliedMigrations(db), []);
        assert.deepEqual(await migrateToLatest(db), names);
        assert.deepEqual(await tableNames(db), TABLES);
        assert.deepEqual(await migrateToLatest(db), []);
        assert.deepEqual(await listAppliedMigrations(db), names);
      },
      { migrate: false },
    ));

  test(`${kind}: concurrent migrate calls apply each migration once`, (t) =>
    withTestDatabase(
      t,
      kind,
      async (db, { databaseUrl, dataDir }) => {
        // On PostgreSQL each call gets its own pool, like separate processes; PGlite allows only
        // one opener, so there the calls share it.
        const extra = databaseUrl
          ? await Promise.all([1, 2, 3].map(() => openDatabase({ databaseUrl, dataDir })))
          : [];
        try {
          const dbs = [db, ...extra.map((opened) => opened.db), db];
          const results = await Promise.all(dbs.map((each) => migrateToLatest(each)));
          assert.deepEqual(results.flat().sort(), await listMigrationNames());
          assert.deepEqual(await listAppliedMigrations(db), await listMigrationNames());
        } finally {
          await Promise.all(extra.map((opened) => opened.close()));
        }
      },
      { migrate: false },
    ));

  test(`${kind}: the migrations roll back cleanly`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const migrator = new Migrator({ db, provider: migrationProvider() });
      const { error } = await migrator.migrateTo(NO_MIGRATIONS);
      assert.equal(error, undefined);
      assert.deepEqual(await tableNames(db), []);
      assert.deepEqual(await migrateToLatest(db), await listMigrationNames());
    }));
}
