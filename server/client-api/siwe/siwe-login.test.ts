// Sign-In with Ethereum as a login type, on both databases: nonces, the first sign-in creating an
// account, and every refusal with its errcode and nothing created (no user, device or token; the
// nonce still usable unless it was the one thing wrong).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Wallet } from 'ethers';
import {
  assertError,
  type ClientHarness,
  snapshotTables,
  withClient,
} from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS, TEST_NOW } from '../../../conformance-tests/support/databases.ts';
import { signedSiwe } from '../../../conformance-tests/support/siwe-messages.ts';
import { deactivateAccount } from '../../accounts/deactivate-account.ts';
import { listDevices } from '../../storage/devices.ts';
import { getWalletOwner } from '../../storage/ethereum-wallets.ts';

const LOGIN = '/_matrix/client/v3/login';
const NONCE = '/_cairn/v1/siwe/nonce';
const SIWE = 'org.cairn.login.siwe';
const ENABLED = { CAIRN_SIWE_ENABLED: 'true', CAIRN_ENABLE_REGISTRATION: 'true' };
const ACCOUNT_TABLES = [
  'users',
  'devices',
  'access_tokens',
  'refresh_tokens',
  'profiles',
  'ethereum_wallets',
] as const;

const alice = new Wallet(`0x${'a1'.repeat(32)}`);
const mallory = new Wallet(`0x${'b2'.repeat(32)}`);
const localpartOf = (wallet: Wallet) => `eth_${wallet.address.slice(2).toLowerCase()}`;
const iso = (ms: number) => new Date(ms).toISOString();

async function newNonce(client: ClientHarness): Promise<string> {
  // Cairn's own endpoint: not in the spec, so not checked against it.
  const result = await client.call('POST', NONCE, { unchecked: true });
  assert.equal(result.status, 200, JSON.stringify(result.body));
  return result.body.nonce;
}

function siweLogin(client: ClientHarness, proof: object, extra: object = {}) {
  return client.call('POST', LOGIN, { body: { type: SIWE, ...proof, ...extra } });
}

async function nonceRows(client: ClientHarness): Promise<string[]> {
  const rows = await client.db.selectFrom('siwe_nonces').select('nonce').execute();
  return rows.map((row) => row.nonce).sort();
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: GET /login offers ${SIWE} only when enabled; nonces only then`, async (t) => {
    await withClient(t, kind, async (client) => {
      const flows = await client.call('GET', LOGIN);
      assert.deepEqual(flows.body.flows, [{ type: 'm.login.password' }]);
      assertError(await client.call('POST', NONCE, { unchecked: true }), 404, 'M_UNRECOGNIZED');
      // Unknown while disabled: the type is refused as any unknown type is.
      const proof = await signedSiwe(alice, { nonce: 'abcdefgh1234' });
      assertError(await siweLogin(client, proof), 400, 'M_UNKNOWN');
    });
    await withClient(
      t,
      kind,
      async (client) => {
        const flows = await client.call('GET', LOGIN);
        assert.deepEqual(flows.body.flows, [{ type: 'm.login.password' }, { type: SIWE }]);
        const issued = await client.call('POST', NONCE, { unchecked: true });
        assert.deepEqual(Object.keys(issued.body).sort(), [
          'chain_id',
          'domain',
          'expires_at',
          'nonce',
          'uri',
        ]);
        assert.match(issued.body.nonce, /^[0-9a-f]{32}$/);
        assert.equal(issued.body.expires_at, TEST_NOW + 300_000);
        assert.equal(issued.body.domain, 'example.org');
        assert.equal(issued.body.uri, 'http://example.org:8008/');
        assert.equal(issued.body.chain_id, 1);
        assert.notEqual(await newNonce(client), issued.body.nonce);
      },
      ENABLED,
    );
  });

  test(`${kind}: a first sign-in creates the account; later ones sign in to it`, (t) =>
    withClient(
      t,
      kind,
      async (client) => {
        const nonce = await newNonce(client);
        const first = await siweLogin(client, await signedSiwe(alice, { nonce }), {
          initial_device_display_name: 'Wallet laptop',
        });
        assert.equal(first.status, 200, JSON.stringify(first.body));
        const userId = `@${localpartOf(alice)}:example.org`;
        assert.equal(first.body.user_id, userId);
        assert.equal(first.body.home_server, 'example.org');
        assert.equal(await getWalletOwner(client.db, alice.address), userId);
        assert.deepEqual(await nonceRows(client), [], 'the nonce is used up');
        const whoami = await client.call('GET', '/_matrix/client/v3/account/whoami', {
          token: first.body.access_token,
        });
        assert.equal(whoami.body.user_id, userId);
        const profile = await client.call('GET', `/_matrix/client/v3/profile/${userId}`);
        assert.deepEqual(profile.body, {
          displayname: alice.address,
          'org.cairn.ethereum_address': alice.address,
        });
        // No password: password login cannot reach the account.
        assertError(
          await client.call('POST', LOGIN, {
            body: { type: 'm.login.password', user: localpartOf(alice), password: '' },
          }),
          403,
          'M_FORBIDDEN',
        );

        const again = await siweLogin(
          client,
          await signedSiwe(alice, { nonce: await newNonce(client) }),
          { refresh_token: true },
        );
        assert.equal(again.status, 200);
        assert.equal(again.body.user_id, userId);
        assert.notEqual(again.body.device_id, first.body.device_id);
        assert.equal(again.body.expires_in_ms, 300_000);
        assert.equal(typeof again.body.refresh_token, 'string');
        const devices = await listDevices(client.db, userId);
        assert.equal(devices.length, 2);
        assert.ok(devices.some((device) => device.displayName === 'Wallet laptop'));
        assert.equal((await client.db.selectFrom('users').selectAll().execute()).length, 1);
      },
      ENABLED,
    ));

  test(`${kind}: refusals: right errcode, nothing created, the nonce left usable`, (t) =>
    withClient(
      t,
      kind,
      async (client) => {
        const nonce = await newNonce(client);
        const before = await snapshotTables(client.db, [...ACCOUNT_TABLES, 'siwe_nonces']);
        const good = await signedSiwe(alice, { nonce });
        const forbidden: [string, object][] = [
          [
            'expired message',
            await signedSiwe(alice, { nonce, expirationTime: iso(TEST_NOW - 1) }),
          ],
          ['wrong domain', await signedSiwe(alice, { nonce, domain: 'evil.example' })],
          ['wrong URI', await signedSiwe(alice, { nonce, uri: 'https://evil.example/' })],
          ['wrong chain id', await signedSiwe(alice, { nonce, chainId: 137 })],
          [
            'issued in the future',
            await signedSiwe(alice, { nonce, issuedAt: iso(TEST_NOW + 3_600_000) }),
          ],
          [
            'not valid yet',
            await signedSiwe(alice, { nonce, notBefore: iso(TEST_NOW + 3_600_000) }),
          ],
          ['nonce never issued', await signedSiwe(alice, { nonce: 'f00df00df00df00d' })],
          [
            'signature from another address',
            { message: good.message, signature: (await signedSiwe(mallory, { nonce })).signature },
          ],
          [
            "another address's message signed by mallory",
            { message: good.message, signature: await mallory.signMessage(good.message) },
          ],
          ['signature of another message', { ...good, signature: await alice.signMessage('hi') }],
          ['truncated signature', { ...good, signature: good.signature.slice(0, 66) }],
        ];
        for (const [what, proof] of forbidden) {
          const result = await siweLogin(client, proof);
          assert.equal(result.status, 403, `${what}: ${JSON.stringify(result.body)}`);
          assert.equal(result.body.errcode, 'M_FORBIDDEN', what);
        }
        const malformed: [string, object, string][] = [
          [
            'not EIP-4361',
            { message: 'please let me in', signature: good.signature },
            'M_INVALID_PARAM',
          ],
          [
            'lower-case address',
            {
              message: good.message.replace(alice.address, alice.address.toLowerCase()),
              signature: good.signature,
            },
            'M_INVALID_PARAM',
          ],
          ['signature not hex', { ...good, signature: 'not hex' }, 'M_INVALID_PARAM'],
          ['odd hex digits', { ...good, signature: '0xabc' }, 'M_INVALID_PARAM'],
          ['no message', { signature: good.signature }, 'M_BAD_JSON'],
          ['no signature', { message: good.message }, 'M_BAD_JSON'],
          ['message not a string', { message: 5, signature: good.signature }, 'M_BAD_JSON'],
        ];
        for (const [what, proof, errcode] of malformed) {
          const result = await siweLogin(client, proof);
          assert.equal(result.status, 400, `${what}: ${JSON.stringify(result.body)}`);
          assert.equal(result.body.errcode, errcode, what);
        }
        assert.equal(
          await snapshotTables(client.db, [...ACCOUNT_TABLES, 'siwe_nonces']),
          before,
          'nothing created, the nonce still there',
        );
        // The nonce was never the problem: the good proof still signs in, once.
        assert.equal((await siweLogin(client, good)).status, 200);
        const afterLogin = await snapshotTables(client.db, [...ACCOUNT_TABLES, 'siwe_nonces']);
        assertError(await siweLogin(client, good), 403, 'M_FORBIDDEN');
        assert.equal(
          await snapshotTables(client.db, [...ACCOUNT_TABLES, 'siwe_nonces']),
          afterLogin,
        );
      },
      ENABLED,
    ));

  test(`${kind}: a replayed nonce fails even when both uses arrive at once`, (t) =>
    withClient(
      t,
      kind,
      async (client) => {
        // Once for an account that exists (the login transaction) and once for a new one (the
        // registration transaction).
        await siweLogin(client, await signedSiwe(alice, { nonce: await newNonce(client) }));
        for (const wallet of [alice, mallory]) {
          const proof = await signedSiwe(wallet, { nonce: await newNonce(client) });
          const results = await Promise.all([1, 2, 3].map(() => siweLogin(client, proof)));
          const statuses = results.map((result) => result.status).sort();
          assert.deepEqual(statuses, [200, 403, 403], wallet.address);
          for (const result of results.filter((r) => r.status === 403)) {
            assert.equal(result.body.errcode, 'M_FORBIDDEN');
          }
          const userId = `@${localpartOf(wallet)}:example.org`;
          assert.equal((await listDevices(client.db, userId)).length, wallet === alice ? 2 : 1);
        }
        assert.deepEqual(await nonceRows(client), []);
      },
      ENABLED,
    ));

  test(`${kind}: an expired nonce is refused`, (t) =>
    withClient(
      t,
      kind,
      async (client) => {
        const nonce = await newNonce(client);
        Object.assign(client.ctx, { now: () => TEST_NOW + 300_000 });
        const proof = await signedSiwe(alice, { nonce });
        assertError(await siweLogin(client, proof), 403, 'M_FORBIDDEN');
        assert.equal((await client.db.selectFrom('users').selectAll().execute()).length, 0);
        // Issuing another nonce clears the expired one out.
        const fresh = await newNonce(client);
        assert.deepEqual(await nonceRows(client), [fresh]);
      },
      { ...ENABLED, CAIRN_SIWE_NONCE_LIFETIME_MS: '300000' },
    ));

  test(`${kind}: no account for an unlinked wallet unless registration allows`, async (t) => {
    for (const env of [
      { CAIRN_SIWE_ENABLED: 'true' },
      { ...ENABLED, CAIRN_REGISTRATION_REQUIRES_TOKEN: 'true' },
      { ...ENABLED, CAIRN_SIWE_REGISTER: 'false' },
    ]) {
      await withClient(
        t,
        kind,
        async (client) => {
          const nonce = await newNonce(client);
          const before = await snapshotTables(client.db, [...ACCOUNT_TABLES, 'siwe_nonces']);
          const result = await siweLogin(client, await signedSiwe(alice, { nonce }));
          assertError(result, 403, 'M_FORBIDDEN');
          assert.match(result.body.error, /No account is linked/);
          assert.equal(await snapshotTables(client.db, [...ACCOUNT_TABLES, 'siwe_nonces']), before);
        },
        env,
      );
    }
    // siwe_register on its own opens wallet sign-up with password registration closed.
    await withClient(
      t,
      kind,
      async (client) => {
        const nonce = await newNonce(client);
        assert.equal((await siweLogin(client, await signedSiwe(alice, { nonce }))).status, 200);
      },
      { CAIRN_SIWE_ENABLED: 'true', CAIRN_SIWE_REGISTER: 'true' },
    );
  });

  test(`${kind}: a taken localpart is never signed in to by an unlinked wallet`, (t) =>
    withClient(
      t,
      kind,
      async (client) => {
        await client.newAccount(localpartOf(alice));
        const nonce = await newNonce(client);
        const before = await snapshotTables(client.db, [...ACCOUNT_TABLES, 'siwe_nonces']);
        const result = await siweLogin(client, await signedSiwe(alice, { nonce }));
        assertError(result, 403, 'M_FORBIDDEN');
        assert.match(result.body.error, /taken/);
        assert.equal(await snapshotTables(client.db, [...ACCOUNT_TABLES, 'siwe_nonces']), before);
      },
      ENABLED,
    ));

  test(`${kind}: a custom localpart template; a deactivated account says so`, (t) =>
    withClient(
      t,
      kind,
      async (client) => {
        const first = await siweLogin(
          client,
          await signedSiwe(alice, { nonce: await newNonce(client) }),
        );
        const userId = `@wallet.${alice.address.slice(2).toLowerCase()}:example.org`;
        assert.equal(first.body.user_id, userId);
        await deactivateAccount(client.db, userId, { erase: false });
        const refused = await siweLogin(
          client,
          await signedSiwe(alice, { nonce: await newNonce(client) }),
        );
        assertError(refused, 403, 'M_USER_DEACTIVATED');
        // A bad signature learns nothing about the account.
        const forged = await signedSiwe(alice, { nonce: await newNonce(client) });
        forged.signature = await mallory.signMessage(forged.message);
        assertError(await siweLogin(client, forged), 403, 'M_FORBIDDEN');
      },
      { ...ENABLED, CAIRN_SIWE_LOCALPART_TEMPLATE: 'wallet.{address}' },
    ));

  test(`${kind}: failed wallet logins and nonce issue are rate limited`, (t) =>
    withClient(
      t,
      kind,
      async (client) => {
        const nonces = await Promise.all([1, 2, 3, 4].map(() => newNonce(client)));
        assertError(await client.call('POST', NONCE, { unchecked: true }), 429, 'M_LIMIT_EXCEEDED');
        const forged = await signedSiwe(alice, { nonce: nonces[0]! });
        forged.signature = await mallory.signMessage(forged.message);
        for (let i = 0; i < 3; i++)
          assertError(await siweLogin(client, forged), 403, 'M_FORBIDDEN');
        // The address's bucket is empty: even a good proof waits.
        const good = await signedSiwe(alice, { nonce: nonces[1]! });
        assertError(await siweLogin(client, good), 429, 'M_LIMIT_EXCEEDED');
        // Another address is not held back by alice's failures.
        const other = await signedSiwe(mallory, { nonce: nonces[2]! });
        assert.equal((await siweLogin(client, other)).status, 200);
        Object.assign(client.ctx, { now: () => TEST_NOW + 10_000 });
        assert.equal((await siweLogin(client, good)).status, 200);
      },
      {
        ...ENABLED,
        CAIRN_RATE_LIMIT_SIWE_NONCE_PER_SECOND: '0.1',
        CAIRN_RATE_LIMIT_SIWE_NONCE_BURST: '4',
        CAIRN_RATE_LIMIT_FAILED_LOGIN_PER_SECOND: '0.17',
        CAIRN_RATE_LIMIT_FAILED_LOGIN_BURST: '3',
      },
    ));
}
