import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import {
  DATABASE_KINDS,
  TEST_NOW,
  withTestDatabase,
} from '../../conformance-tests/support/databases.ts';
import {
  createRegistrationToken,
  hashRegistrationToken,
  isRegistrationTokenValid,
  useRegistrationTokenDigest,
} from './registration-tokens.ts';

for (const kind of DATABASE_KINDS) {
  test(`${kind}: registration tokens are valid until expired or used up`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      await createRegistrationToken(db, { token: 'twice', usesAllowed: 2, now: TEST_NOW });
      await createRegistrationToken(db, { token: 'forever', now: TEST_NOW });
      await createRegistrationToken(db, { token: 'soon', expiryTs: TEST_NOW + 10, now: TEST_NOW });

      assert.equal(
        await useRegistrationTokenDigest(db, hashRegistrationToken('twice'), TEST_NOW),
        true,
      );
      assert.equal(await isRegistrationTokenValid(db, 'twice', TEST_NOW), true);
      assert.equal(
        await useRegistrationTokenDigest(db, hashRegistrationToken('twice'), TEST_NOW),
        true,
      );
      assert.equal(await isRegistrationTokenValid(db, 'twice', TEST_NOW), false);
      assert.equal(
        await useRegistrationTokenDigest(db, hashRegistrationToken('twice'), TEST_NOW),
        false,
      );

      for (let i = 0; i < 3; i++)
        assert.equal(
          await useRegistrationTokenDigest(db, hashRegistrationToken('forever'), TEST_NOW),
          true,
        );
      assert.equal(await isRegistrationTokenValid(db, 'forever', TEST_NOW), true);

      assert.equal(await isRegistrationTokenValid(db, 'soon', TEST_NOW + 9), true);
      assert.equal(await isRegistrationTokenValid(db, 'soon', TEST_NOW + 10), false);
      assert.equal(
        await useRegistrationTokenDigest(db, hashRegistrationToken('soon'), TEST_NOW + 10),
        false,
      );
      assert.equal(await isRegistrationTokenValid(db, 'unknown', TEST_NOW), false);
      assert.equal(
        await useRegistrationTokenDigest(db, hashRegistrationToken('unknown'), TEST_NOW),
        false,
      );
      // Near misses are different tokens: a prefix, a longer string, another case.
      for (const guess of ['foreve', 'forever!', 'Forever', ''])
        assert.equal(await isRegistrationTokenValid(db, guess, TEST_NOW), false, guess);
      const rows = await db
        .selectFrom('registration_tokens')
        .select(['token_hash', 'completed'])
        .orderBy('created_ts')
        .orderBy('completed')
        .execute();
      assert.deepEqual(
        rows.map((row) => row.completed),
        [0, 2, 3],
      );
      assert.deepEqual(
        rows.map((row) => row.token_hash).sort(),
        ['forever', 'soon', 'twice'].map(hashRegistrationToken).sort(),
      );
    }));

  test(`${kind}: only the digest of a registration token is stored`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      await createRegistrationToken(db, { token: 'plain-secret', now: TEST_NOW });
      const { rows } = await sql<Record<string, unknown>>`
        SELECT * FROM registration_tokens`.execute(db);
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.token_hash, hashRegistrationToken('plain-secret'));
      assert.ok(!JSON.stringify(rows).includes('plain-secret'), JSON.stringify(rows));
      // A second token with the same value is a duplicate.
      await assert.rejects(createRegistrationToken(db, { token: 'plain-secret', now: TEST_NOW }));
    }));

  test(`${kind}: a token inserted with the SQL digest the README gives is usable`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const token = 'jetón-🎟';
      await sql`INSERT INTO registration_tokens (token_hash, uses_allowed, created_ts)
        VALUES (encode(sha256(convert_to(${token}, 'UTF8')), 'hex'), 1, ${TEST_NOW})`.execute(db);
      assert.equal(await isRegistrationTokenValid(db, token, TEST_NOW), true);
      assert.equal(
        await useRegistrationTokenDigest(db, hashRegistrationToken(token), TEST_NOW),
        true,
      );
      assert.equal(await isRegistrationTokenValid(db, token, TEST_NOW), false);
    }));

  test(`${kind}: a value that is not a digest is refused`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      for (const value of ['plaintext', hashRegistrationToken('x').toUpperCase()]) {
        await assert.rejects(
          sql`INSERT INTO registration_tokens (token_hash, created_ts)
            VALUES (${value}, ${TEST_NOW})`.execute(db),
          /registration_tokens_token_hash_check/,
        );
      }
      await assert.rejects(
        sql`INSERT INTO registration_tokens (token_hash, created_ts)
          VALUES (NULL, ${TEST_NOW})`.execute(db),
        /null/,
      );
    }));
}
