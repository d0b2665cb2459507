import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DATABASE_KINDS,
  TEST_NOW,
  withTestDatabase,
} from '../../conformance-tests/support/databases.ts';
import {
  createRegistrationToken,
  isRegistrationTokenValid,
  useRegistrationToken,
} from './registration-tokens.ts';

for (const kind of DATABASE_KINDS) {
  test(`${kind}: registration tokens are valid until expired or used up`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      await createRegistrationToken(db, { token: 'twice', usesAllowed: 2, now: TEST_NOW });
      await createRegistrationToken(db, { token: 'forever', now: TEST_NOW });
      await createRegistrationToken(db, { token: 'soon', expiryTs: TEST_NOW + 10, now: TEST_NOW });

      assert.equal(await useRegistrationToken(db, 'twice', TEST_NOW), true);
      assert.equal(await isRegistrationTokenValid(db, 'twice', TEST_NOW), true);
      assert.equal(await useRegistrationToken(db, 'twice', TEST_NOW), true);
      assert.equal(await isRegistrationTokenValid(db, 'twice', TEST_NOW), false);
      assert.equal(await useRegistrationToken(db, 'twice', TEST_NOW), false);

      for (let i = 0; i < 3; i++)
        assert.equal(await useRegistrationToken(db, 'forever', TEST_NOW), true);
      assert.equal(await isRegistrationTokenValid(db, 'forever', TEST_NOW), true);

      assert.equal(await isRegistrationTokenValid(db, 'soon', TEST_NOW + 9), true);
      assert.equal(await isRegistrationTokenValid(db, 'soon', TEST_NOW + 10), false);
      assert.equal(await useRegistrationToken(db, 'soon', TEST_NOW + 10), false);
      assert.equal(await isRegistrationTokenValid(db, 'unknown', TEST_NOW), false);
      assert.equal(await useRegistrationToken(db, 'unknown', TEST_NOW), false);
      const rows = await db
        .selectFrom('registration_tokens')
        .select(['token', 'completed'])
        .orderBy('token')
        .execute();
      assert.deepEqual(rows, [
        { token: 'forever', completed: 3 },
        { token: 'soon', completed: 0 },
        { token: 'twice', completed: 2 },
      ]);
    }));
}
