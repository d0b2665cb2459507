// Registration tokens created before their plaintext column gave way to digests keep working,
// with their expiry and use counts; rolled back, no row is usable, and forward again they work.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import {
  DATABASE_KINDS,
  TEST_NOW,
  withTestDatabase,
} from '../conformance-tests/support/databases.ts';
import {
  listMigrationNames,
  migrateToLatest,
  migrationProvider,
} from '../server/storage/migrate.ts';
import {
  hashRegistrationToken,
  isRegistrationTokenValid,
  useRegistrationTokenDigest,
} from '../server/storage/registration-tokens.ts';

const MIGRATION = '2026-11-22T19-00-00-registration-token-hashes';

async function previousMigration(): Promise<string> {
  const names = await listMigrationNames();
  const index = names.indexOf(MIGRATION);
  assert.ok(index > 0, `${MIGRATION} is a migration`);
  return names[index - 1]!;
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: registration tokens made before the digest migration still work`, (t) =>
    withTestDatabase(
      t,
      kind,
      async (db) => {
        const migrator = new Migrator({ db, provider: migrationProvider() });
        assert.equal((await migrator.migrateTo(await previousMigration())).error, undefined);
        // The rows as the old code wrote them: token, uses_allowed, completed, expiry_ts.
        const old: [string, number | null, number, number | null][] = [
          ['once', 1, 0, null],
          ['used-up', 2, 2, null],
          ['expired', null, 0, TEST_NOW],
          ['later', null, 5, TEST_NOW + 1000],
          ['jetón-🎟', 3, 1, null],
        ];
        for (const [token, usesAllowed, completed, expiryTs] of old) {
          await sql`INSERT INTO registration_tokens
            (token, uses_allowed, completed, expiry_ts, created_ts)
            VALUES (${token}, ${usesAllowed}, ${completed}, ${expiryTs}, ${TEST_NOW})`.execute(db);
        }
        await migrateToLatest(db);

        const valid = async (token: string) => isRegistrationTokenValid(db, token, TEST_NOW);
        assert.equal(await valid('once'), true);
        assert.equal(await valid('used-up'), false);
        assert.equal(await valid('expired'), false);
        assert.equal(await valid('later'), true);
        assert.equal(await valid('jetón-🎟'), true);
        assert.equal(await valid('unknown'), false);
        assert.equal(
          await useRegistrationTokenDigest(db, hashRegistrationToken('once'), TEST_NOW),
          true,
        );
        assert.equal(
          await useRegistrationTokenDigest(db, hashRegistrationToken('once'), TEST_NOW),
          false,
        );
        assert.equal(
          await useRegistrationTokenDigest(db, hashRegistrationToken('used-up'), TEST_NOW),
          false,
        );
        assert.equal(
          await useRegistrationTokenDigest(db, hashRegistrationToken('expired'), TEST_NOW),
          false,
        );
        assert.equal(
          await useRegistrationTokenDigest(db, hashRegistrationToken('jetón-🎟'), TEST_NOW),
          true,
        );
        assert.equal(
          await useRegistrationTokenDigest(db, hashRegistrationToken('jetón-🎟'), TEST_NOW),
          true,
        );
        assert.equal(
          await useRegistrationTokenDigest(db, hashRegistrationToken('jetón-🎟'), TEST_NOW),
          false,
        );

        const rows = await db
          .selectFrom('registration_tokens')
          .select(['token_hash', 'completed', 'expiry_ts'])
          .execute();
        const byHash = new Map(rows.map((row) => [row.token_hash, row]));
        assert.equal(byHash.size, old.length);
        assert.deepEqual(byHash.get(hashRegistrationToken('later')), {
          token_hash: hashRegistrationToken('later'),
          completed: 5,
          expiry_ts: TEST_NOW + 1000,
        });
        assert.equal(byHash.get(hashRegistrationToken('once'))?.completed, 1);
        assert.equal(byHash.get(hashRegistrationToken('jetón-🎟'))?.completed, 3);
        const columns = await sql<{ column_name: string }>`
          SELECT column_name FROM information_schema.columns
          WHERE table_name = 'registration_tokens'`.execute(db);
        assert.ok(!columns.rows.some((column) => column.column_name === 'token'));
      },
      { migrate: false },
    ));

  test(`${kind}: rolling the digest migration back and forward keeps tokens`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      await sql`INSERT INTO registration_tokens (token_hash, completed, created_ts)
        VALUES (${hashRegistrationToken('kept')}, 4, ${TEST_NOW})`.execute(db);
      const migrator = new Migrator({ db, provider: migrationProvider() });
      assert.equal((await migrator.migrateTo(await previousMigration())).error, undefined);
      const { rows } = await sql<{ token: string; completed: number }>`
        SELECT token, completed FROM registration_tokens`.execute(db);
      assert.deepEqual(rows, [{ token: `sha256:${hashRegistrationToken('kept')}`, completed: 4 }]);
      // Longer than the 64 characters a client may send as a token.
      assert.ok(rows[0]!.token.length > 64);
      // Migrating forward again takes the digest back: the token works as before.
      await migrateToLatest(db);
      assert.equal(await isRegistrationTokenValid(db, 'kept', TEST_NOW), true);
      assert.equal(
        await useRegistrationTokenDigest(db, hashRegistrationToken('kept'), TEST_NOW),
        true,
      );
      const after = await db.selectFrom('registration_tokens').select('completed').execute();
      assert.deepEqual(after, [{ completed: 5 }]);
    }));
}
