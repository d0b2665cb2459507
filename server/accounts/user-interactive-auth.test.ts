// The UIA module on its own, with a two-stage flow no endpoint uses yet, on both databases.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TEST_PASSWORD } from '../../conformance-tests/support/client-harness.ts';
import {
  DATABASE_KINDS,
  newUser,
  TEST_NOW,
  TEST_SERVER_NAME,
  withTestDatabase,
} from '../../conformance-tests/support/databases.ts';
import { createRegistrationToken, hashRegistrationToken } from '../storage/registration-tokens.ts';
import { hashPassword } from './password-hash.ts';
import {
  requireUserInteractiveAuth,
  SESSION_LIFETIME_MS,
  type UiaDeps,
  type UiaPolicy,
  UiaRequiredError,
} from './user-interactive-auth.ts';

const policy: UiaPolicy = {
  endpoint: 'POST /test',
  flows: [
    ['m.login.dummy', 'm.login.password'],
    ['m.login.password', 'm.login.dummy'],
  ],
  params: { 'org.example.stage': { key: 'value' } },
};

const password = { type: 'm.login.password', identifier: { type: 'm.id.user', user: 'alice' } };

/** The 401 body the call answers, or undefined if it authenticated. */
async function attempt(deps: UiaDeps, auth: unknown, requesterId?: string) {
  try {
    await requireUserInteractiveAuth(deps, policy, { auth, requesterId });
    return undefined;
  } catch (error) {
    if (!(error instanceof UiaRequiredError)) throw error;
    assert.equal(error.status, 401);
    return error.toJSON() as Record<string, unknown>;
  }
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: a two-stage flow completes in order, reporting completed stages`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      await newUser(db, 'alice', { passwordHash: await hashPassword(TEST_PASSWORD) });
      const deps: UiaDeps = { db, serverName: TEST_SERVER_NAME, now: () => TEST_NOW };

      const start = await attempt(deps, undefined);
      assert.deepEqual(Object.keys(start!).sort(), ['flows', 'params', 'session']);
      assert.deepEqual(start!.params, policy.params);
      const session = start!.session as string;

      const afterDummy = await attempt(deps, { type: 'm.login.dummy', session });
      assert.deepEqual(afterDummy!.completed, ['m.login.dummy']);
      assert.equal(afterDummy!.errcode, undefined);
      // Repeating a completed stage does not run it again, nor complete the flow.
      const repeated = await attempt(deps, { type: 'm.login.dummy', session });
      assert.deepEqual(repeated!.completed, ['m.login.dummy']);
      const failed = await attempt(deps, { ...password, password: 'wrong', session });
      assert.equal(failed!.errcode, 'M_FORBIDDEN');
      assert.deepEqual(failed!.completed, ['m.login.dummy']);

      const outcome = await requireUserInteractiveAuth(deps, policy, {
        auth: { ...password, password: TEST_PASSWORD, session },
      });
      assert.deepEqual(outcome, {
        userId: '@alice:example.org',
        registrationTokenDigest: undefined,
      });
      // Consumed: the same session cannot authorise a second request.
      const reused = await attempt(deps, { session });
      assert.equal(reused!.errcode, 'M_UNKNOWN');
    }));

  test(`${kind}: sessions expire, and belong to their requester`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      let now = TEST_NOW;
      const deps: UiaDeps = { db, serverName: TEST_SERVER_NAME, now: () => now };
      const mine = (await attempt(deps, undefined, '@alice:example.org'))!.session as string;
      const stolen = await attempt(
        deps,
        { type: 'm.login.dummy', session: mine },
        '@eve:example.org',
      );
      assert.equal(stolen!.errcode, 'M_UNKNOWN');
      const own = await attempt(
        deps,
        { type: 'm.login.dummy', session: mine },
        '@alice:example.org',
      );
      assert.deepEqual(own!.completed, ['m.login.dummy']);
      now += SESSION_LIFETIME_MS;
      const expired = await attempt(deps, { session: mine }, '@alice:example.org');
      assert.equal(expired!.errcode, 'M_UNKNOWN');
      // Expired sessions are swept when new ones are made.
      const rows = await db.selectFrom('uia_sessions').select('session_id').execute();
      assert.ok(!rows.some((row) => row.session_id === mine));
    }));

  test(`${kind}: a registration token stage keeps only the token's digest in the session`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const deps: UiaDeps = { db, serverName: TEST_SERVER_NAME, now: () => TEST_NOW };
      const token = 'secret-token-42';
      await createRegistrationToken(db, { token, now: TEST_NOW });
      const twoStages: UiaPolicy = {
        endpoint: 'POST /register',
        flows: [['m.login.registration_token', 'm.login.dummy']],
      };
      const ask = async (auth: unknown) => {
        try {
          return await requireUserInteractiveAuth(deps, twoStages, { auth });
        } catch (error) {
          if (!(error instanceof UiaRequiredError)) throw error;
          return error.toJSON() as Record<string, unknown>;
        }
      };
      const session = ((await ask(undefined)) as { session: string }).session;
      const afterToken = await ask({ type: 'm.login.registration_token', token, session });
      assert.deepEqual((afterToken as { completed: string[] }).completed, [
        'm.login.registration_token',
      ]);
      // Between the stages the session is stored: a read of the table gives no usable token.
      const rows = await db.selectFrom('uia_sessions').selectAll().execute();
      assert.equal(rows.length, 1);
      assert.ok(!JSON.stringify(rows).includes(token), 'the token is not stored');
      assert.ok(rows[0]!.results.includes(hashRegistrationToken(token)));

      const outcome = await ask({ type: 'm.login.dummy', session });
      assert.deepEqual(outcome, {
        userId: undefined,
        registrationTokenDigest: hashRegistrationToken(token),
      });
    }));
}
