// Linking and unlinking wallets, and Sign-In with Ethereum as a user-interactive auth stage, on
// both databases: a password account links a wallet and signs in with either; unlinking; a
// wallet-only account confirms device deletion and a cross-signing reset by signing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Wallet } from 'ethers';
import {
  assertError,
  type ClientHarness,
  snapshotTables,
  TEST_PASSWORD,
  withClient,
} from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS, TEST_NOW } from '../../../conformance-tests/support/databases.ts';
import { signedSiwe } from '../../../conformance-tests/support/siwe-messages.ts';
import { newCrossSigning } from '../../e2ee/cross-signing-test-keys.ts';
import { listDevices } from '../../storage/devices.ts';
import { getWalletOwner } from '../../storage/ethereum-wallets.ts';

const LOGIN = '/_matrix/client/v3/login';
const NONCE = '/_cairn/v1/siwe/nonce';
const WALLETS = '/_cairn/v1/account/wallets';
const SIWE = 'org.cairn.login.siwe';
const ENABLED = { CAIRN_SIWE_ENABLED: 'true', CAIRN_ENABLE_REGISTRATION: 'true' };
const ADDRESS_FIELD = 'org.cairn.ethereum_address';

const walletA = new Wallet(`0x${'c3'.repeat(32)}`);
const walletB = new Wallet(`0x${'d4'.repeat(32)}`);
const mallory = new Wallet(`0x${'e5'.repeat(32)}`);

const passwordAuth = (user: string, session?: string, password = TEST_PASSWORD) => ({
  type: 'm.login.password',
  identifier: { type: 'm.id.user', user },
  password,
  ...(session === undefined ? {} : { session }),
});

function helpers(client: ClientHarness) {
  const nonce = async () => {
    const result = await client.call('POST', NONCE, { unchecked: true });
    assert.equal(result.status, 200);
    return result.body.nonce as string;
  };
  const proof = async (wallet: Wallet) => signedSiwe(wallet, { nonce: await nonce() });
  // Cairn's own endpoints are not in the spec: their answers are checked here, not against it.
  const link = (token: string, body: object) =>
    client.call('POST', WALLETS, { token, body, unchecked: true });
  const unlink = (token: string, address: string, body?: object) =>
    client.call('DELETE', `${WALLETS}/${address}`, {
      token,
      ...(body ? { body } : {}),
      unchecked: true,
    });
  const walletLogin = async (wallet: Wallet) =>
    client.call('POST', LOGIN, { body: { type: SIWE, ...(await proof(wallet)) } });
  const passwordLogin = (user: string) =>
    client.call('POST', LOGIN, { body: { ...passwordAuth(user) } });
  const profileAddress = async (userId: string) =>
    (await client.call('GET', `/_matrix/client/v3/profile/${userId}`)).body[ADDRESS_FIELD];
  const siweAuth = async (wallet: Wallet, session: string) => ({
    type: SIWE,
    session,
    ...(await proof(wallet)),
  });
  return { nonce, proof, link, unlink, walletLogin, passwordLogin, profileAddress, siweAuth };
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: a password account links a wallet after UIA, then signs in with either`, (t) =>
    withClient(
      t,
      kind,
      async (client) => {
        const h = helpers(client);
        const bob = await client.newAccount('bob');
        const linkProof = await h.proof(walletA);
        const challenge = await h.link(bob.accessToken, linkProof);
        assert.equal(challenge.status, 401);
        assert.deepEqual(challenge.body.flows, [{ stages: ['m.login.password'] }]);
        const wrong = await h.link(bob.accessToken, {
          ...linkProof,
          auth: passwordAuth('bob', challenge.body.session, 'wrong'),
        });
        assertError(wrong, 401, 'M_FORBIDDEN');
        assert.equal(await getWalletOwner(client.db, walletA.address), undefined);

        const linked = await h.link(bob.accessToken, {
          ...linkProof,
          auth: passwordAuth('bob', challenge.body.session),
        });
        assert.deepEqual(linked, { status: 200, body: { address: walletA.address } });
        assert.equal(await getWalletOwner(client.db, walletA.address), bob.userId);
        assert.equal(await h.profileAddress(bob.userId), walletA.address);
        const listed = await client.call('GET', WALLETS, {
          token: bob.accessToken,
          unchecked: true,
        });
        assert.deepEqual(listed.body, {
          wallets: [{ address: walletA.address, linked_ts: TEST_NOW }],
        });

        const byPassword = await h.passwordLogin('bob');
        const byWallet = await h.walletLogin(walletA);
        assert.equal(byPassword.body.user_id, bob.userId);
        assert.equal(byWallet.status, 200, JSON.stringify(byWallet.body));
        assert.equal(byWallet.body.user_id, bob.userId);
        assert.equal((await listDevices(client.db, bob.userId)).length, 3);
        assert.equal((await client.db.selectFrom('users').selectAll().execute()).length, 1);

        // Linking it again is a no-op: no auth asked, the nonce left for another use.
        const again = await h.link(bob.accessToken, await h.proof(walletA));
        assert.deepEqual(again, { status: 200, body: { address: walletA.address } });
        assert.equal((await client.db.selectFrom('siwe_nonces').selectAll().execute()).length, 1);
      },
      ENABLED,
    ));

  test(`${kind}: linking refusals: bad proofs and others' wallets are refused before UIA`, (t) =>
    withClient(
      t,
      kind,
      async (client) => {
        const h = helpers(client);
        const bob = await client.newAccount('bob');
        const carol = await client.newAccount('carol');
        // Carol links wallet B (with her password in one go).
        const carols = await h.link(carol.accessToken, {
          ...(await h.proof(walletB)),
          auth: passwordAuth('carol'),
        });
        assert.equal(carols.status, 200);

        const tables = ['ethereum_wallets', 'siwe_nonces', 'uia_sessions'] as const;
        const nonce = await h.nonce();
        const good = await signedSiwe(walletA, { nonce });
        const refused: [string, object, number, string][] = [
          ["carol's wallet", await h.proof(walletB), 403, 'M_FORBIDDEN'],
          [
            'wrong domain',
            await signedSiwe(walletA, { nonce, domain: 'x.example' }),
            403,
            'M_FORBIDDEN',
          ],
          ['wrong chain', await signedSiwe(walletA, { nonce, chainId: 10 }), 403, 'M_FORBIDDEN'],
          [
            'signature from another address',
            { message: good.message, signature: await mallory.signMessage(good.message) },
            403,
            'M_FORBIDDEN',
          ],
          [
            'unissued nonce',
            await signedSiwe(walletA, { nonce: 'deadbeefdeadbeef' }),
            403,
            'M_FORBIDDEN',
          ],
          [
            'malformed message',
            { message: 'link me', signature: good.signature },
            400,
            'M_INVALID_PARAM',
          ],
          ['no signature', { message: good.message }, 400, 'M_BAD_JSON'],
        ];
        const before = await snapshotTables(client.db, tables);
        for (const [what, body, status, errcode] of refused) {
          const result = await h.link(bob.accessToken, { ...body, auth: passwordAuth('bob') });
          assert.equal(result.status, status, `${what}: ${JSON.stringify(result.body)}`);
          assert.equal(result.body.errcode, errcode, what);
        }
        assert.equal(await snapshotTables(client.db, tables), before, 'no link, nonce or session');
        assertError(
          await client.call('POST', WALLETS, { body: good, unchecked: true }),
          401,
          'M_MISSING_TOKEN',
        );
      },
      ENABLED,
    ));

  test(`${kind}: linking needs Sign-In with Ethereum enabled`, (t) =>
    withClient(t, kind, async (client) => {
      const bob = await client.newAccount('bob');
      const proof = await signedSiwe(walletA, { nonce: 'abcdef0123456789' });
      const result = await client.call('POST', WALLETS, {
        token: bob.accessToken,
        body: proof,
        unchecked: true,
      });
      assertError(result, 404, 'M_UNRECOGNIZED');
    }));

  test(`${kind}: unlinking after UIA; the only way in is kept`, (t) =>
    withClient(
      t,
      kind,
      async (client) => {
        const h = helpers(client);
        const bob = await client.newAccount('bob');
        await h.link(bob.accessToken, { ...(await h.proof(walletA)), auth: passwordAuth('bob') });

        assertError(await h.unlink(bob.accessToken, '0x1234'), 400, 'M_INVALID_PARAM');
        assertError(await h.unlink(bob.accessToken, mallory.address), 404, 'M_NOT_FOUND');
        const challenge = await h.unlink(bob.accessToken, walletA.address);
        assert.equal(challenge.status, 401);
        // Bob has a wallet now: he may confirm with it instead of his password.
        assert.deepEqual(challenge.body.flows, [
          { stages: ['m.login.password'] },
          { stages: [SIWE] },
        ]);
        // Any spelling of the address names it.
        const done = await h.unlink(bob.accessToken, walletA.address.toLowerCase(), {
          auth: passwordAuth('bob', challenge.body.session),
        });
        assert.deepEqual(done, { status: 200, body: {} });
        assert.equal(await getWalletOwner(client.db, walletA.address), undefined);
        assert.equal(await h.profileAddress(bob.userId), undefined);
        // The wallet no longer reaches bob: it signs up afresh.
        const login = await h.walletLogin(walletA);
        assert.notEqual(login.body.user_id, bob.userId);

        // A wallet-only account keeps its last wallet, but may drop one of two.
        const walletUser = login.body.access_token as string;
        const walletUserId = login.body.user_id as string;
        assertError(await h.unlink(walletUser, walletA.address), 403, 'M_FORBIDDEN');
        const linkChallenge = await h.link(walletUser, await h.proof(walletB));
        assert.deepEqual(linkChallenge.body.flows, [
          { stages: ['m.login.password'] },
          { stages: [SIWE] },
        ]);
        const linkedB = await h.link(walletUser, {
          ...(await h.proof(walletB)),
          auth: await h.siweAuth(walletA, linkChallenge.body.session),
        });
        assert.equal(linkedB.status, 200, JSON.stringify(linkedB.body));
        const unlinkA = await h.unlink(walletUser, walletA.address);
        const unlinkedA = await h.unlink(walletUser, walletA.address, {
          auth: await h.siweAuth(walletB, unlinkA.body.session),
        });
        assert.equal(unlinkedA.status, 200, JSON.stringify(unlinkedA.body));
        assert.equal(await h.profileAddress(walletUserId), walletB.address);
        assertError(await h.unlink(walletUser, walletB.address), 403, 'M_FORBIDDEN');
      },
      ENABLED,
    ));

  test(`${kind}: the ${SIWE} stage: a wallet-only user deletes a device and resets cross-signing`, (t) =>
    withClient(
      t,
      kind,
      async (client) => {
        const h = helpers(client);
        const first = await h.walletLogin(walletA);
        const second = await h.walletLogin(walletA);
        const token = first.body.access_token as string;
        const userId = first.body.user_id as string;
        const deletePath = `/_matrix/client/v3/devices/${second.body.device_id}`;

        const challenge = await client.call('DELETE', deletePath, { token, body: {} });
        assert.equal(challenge.status, 401);
        assert.deepEqual(challenge.body.flows, [
          { stages: ['m.login.password'] },
          { stages: [SIWE] },
        ]);
        const session = challenge.body.session as string;
        // Mallory's wallet proves nothing about this account; a forged signature neither.
        const foreign = await client.call('DELETE', deletePath, {
          token,
          body: { auth: await h.siweAuth(mallory, session) },
        });
        assertError(foreign, 401, 'M_FORBIDDEN');
        const forgedAuth = await h.siweAuth(walletA, session);
        forgedAuth.signature = await mallory.signMessage(forgedAuth.message);
        assertError(
          await client.call('DELETE', deletePath, { token, body: { auth: forgedAuth } }),
          401,
          'M_FORBIDDEN',
        );
        const malformed = await client.call('DELETE', deletePath, {
          token,
          body: { auth: { type: SIWE, session, message: 'hi', signature: '0x00' } },
        });
        assertError(malformed, 401, 'M_INVALID_PARAM');
        assert.equal((await listDevices(client.db, userId)).length, 2);

        const auth = await h.siweAuth(walletA, session);
        const deleted = await client.call('DELETE', deletePath, { token, body: { auth } });
        assert.deepEqual(deleted, { status: 200, body: {} });
        assert.equal((await listDevices(client.db, userId)).length, 1);
        // The signed message cannot confirm anything else: its nonce is used up.
        const next = await client.call('DELETE', deletePath, { token, body: {} });
        const replay = await client.call('DELETE', deletePath, {
          token,
          body: { auth: { ...auth, session: next.body.session } },
        });
        assertError(replay, 401, 'M_FORBIDDEN');

        // Replacing cross-signing keys asks for the same confirmation.
        const upload = (body: object) =>
          client.call('POST', '/_matrix/client/v3/keys/device_signing/upload', {
            token,
            body,
            unchecked: true,
          });
        assert.equal((await upload(newCrossSigning(userId).body)).status, 200);
        const replacement = newCrossSigning(userId).body;
        const keysChallenge = await upload(replacement);
        assert.equal(keysChallenge.status, 401);
        const replaced = await upload({
          ...replacement,
          auth: await h.siweAuth(walletA, keysChallenge.body.session),
        });
        assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
      },
      ENABLED,
    ));

  test(`${kind}: users without a wallet are not offered the stage, nor can they use it`, (t) =>
    withClient(
      t,
      kind,
      async (client) => {
        const h = helpers(client);
        const bob = await client.newAccount('bob', { deviceId: 'ONE' });
        const challenge = await client.call('DELETE', '/_matrix/client/v3/devices/ONE', {
          token: bob.accessToken,
          body: {},
        });
        assert.deepEqual(challenge.body.flows, [{ stages: ['m.login.password'] }]);
        const attempt = await client.call('DELETE', '/_matrix/client/v3/devices/ONE', {
          token: bob.accessToken,
          body: { auth: await h.siweAuth(walletA, challenge.body.session) },
        });
        assertError(attempt, 401, 'M_UNRECOGNIZED');
        assert.equal((await listDevices(client.db, bob.userId)).length, 1);
      },
      ENABLED,
    ));
}
