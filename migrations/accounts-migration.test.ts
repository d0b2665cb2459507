// The accounts migration gives accounts made before it the profile registration now creates.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Migrator } from 'kysely/migration';
import {
  DATABASE_KINDS,
  newUser,
  withTestDatabase,
} from '../conformance-tests/support/databases.ts';
import { migrateToLatest, migrationProvider } from '../server/storage/migrate.ts';
import { getProfile } from '../server/storage/profiles.ts';

for (const kind of DATABASE_KINDS) {
  test(`${kind}: existing users get a profile with their localpart as display name`, (t) =>
    withTestDatabase(
      t,
      kind,
      async (db) => {
        const migrator = new Migrator({ db, provider: migrationProvider() });
        const { error } = await migrator.migrateTo('2026-11-21T00-00-00-initial');
        assert.equal(error, undefined);
        const alice = await newUser(db, 'alice');
        await migrateToLatest(db);
        assert.deepEqual(await getProfile(db, alice.userId), {
          displayname: 'alice',
          avatarUrl: null,
        });
      },
      { migrate: false },
    ));
}
