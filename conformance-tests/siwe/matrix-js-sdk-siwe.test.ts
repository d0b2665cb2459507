// Sign-In with Ethereum as a real client meets it: `cairn start` as a process, an ethers Wallet
// signing EIP-4361 messages the server asked for (nonce, domain, URI and chain id from
// POST /_cairn/v1/siwe/nonce) and signing in through matrix-js-sdk's loginRequest over HTTP; it
// then chats with a password user through matrix-js-sdk clients, confirms a device deletion by
// signing, and a password user links a wallet and signs in with it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type HDNodeWallet, Wallet } from 'ethers';
import * as sdk from 'matrix-js-sdk';
import { SiweMessage } from 'siwe';
import { type CairnProcess, newDataDir, startCairn, testEnv } from '../support/cairn-process.ts';
import { dropScratchDatabase } from '../support/databases.ts';
import {
  CLIENT_PASSWORD,
  PROCESS_BACKENDS,
  registerAndStartClient,
  startClientAndWait,
  waitUntil,
} from '../support/js-sdk-clients.ts';

const SIWE = 'org.cairn.login.siwe';

interface NonceAnswer {
  nonce: string;
  expires_at: number;
  domain: string;
  uri: string;
  chain_id: number;
}

async function postJson(url: string, body: unknown, token?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the test reads whatever the server answered
  return { status: response.status, body: (await response.json()) as any };
}

/** Asks the server for a nonce and signs the message it describes, as a dapp would. */
async function signIn(
  baseUrl: string,
  wallet: Wallet | HDNodeWallet,
): Promise<{ message: string; signature: string }> {
  const issued = await postJson(`${baseUrl}/_cairn/v1/siwe/nonce`, {});
  assert.equal(issued.status, 200, JSON.stringify(issued.body));
  const answer = issued.body as NonceAnswer;
  const message = new SiweMessage({
    domain: answer.domain,
    address: wallet.address,
    statement: 'Sign in to Cairn',
    uri: answer.uri,
    version: '1',
    chainId: answer.chain_id,
    nonce: answer.nonce,
    issuedAt: new Date().toISOString(),
    expirationTime: new Date(answer.expires_at).toISOString(),
  }).prepareMessage();
  return { message, signature: await wallet.signMessage(message) };
}

for (const backend of PROCESS_BACKENDS) {
  describe(`Sign-In with Ethereum through cairn start on ${backend.name}`, {
    skip: backend.skip,
  }, () => {
    let server: CairnProcess;
    let databaseUrl: string | undefined;
    const clients: sdk.MatrixClient[] = [];

    before(async () => {
      databaseUrl = await backend.databaseUrl();
      server = await startCairn(
        testEnv(newDataDir(), {
          CAIRN_SERVER_NAME: 'cairn.test',
          CAIRN_PUBLIC_BASEURL: 'http://cairn.test:8008/',
          CAIRN_ENABLE_REGISTRATION: 'true',
          CAIRN_SIWE_ENABLED: 'true',
          ...(databaseUrl ? { CAIRN_DATABASE_URL: databaseUrl } : {}),
        }),
      );
    });
    after(async () => {
      for (const client of clients) client.stopClient();
      await server?.stop();
      if (databaseUrl) await dropScratchDatabase(process.env.CAIRN_TEST_DATABASE_URL!, databaseUrl);
    });

    test('a wallet signs in and chats with a password user', async () => {
      const baseUrl = server.clientUrl;
      const anonymous = sdk.createClient({ baseUrl });
      const flows = await anonymous.loginFlows();
      assert.deepEqual(
        flows.flows.map((flow) => flow.type),
        ['m.login.password', SIWE],
      );

      const wallet = Wallet.createRandom();
      const proof = await signIn(baseUrl, wallet);
      const login = await anonymous.loginRequest({
        type: SIWE,
        ...proof,
        initial_device_display_name: 'wallet browser',
      } as sdk.LoginRequest);
      const walletUserId = `@eth_${wallet.address.slice(2).toLowerCase()}:cairn.test`;
      assert.equal(login.user_id, walletUserId);
      // The same signed message again: its nonce is used up.
      const replay = await postJson(`${baseUrl}/_matrix/client/v3/login`, { type: SIWE, ...proof });
      assert.equal(replay.status, 403);
      assert.equal(replay.body.errcode, 'M_FORBIDDEN');

      const walletClient = sdk.createClient({
        baseUrl,
        userId: login.user_id,
        accessToken: login.access_token,
        deviceId: login.device_id,
      });
      clients.push(walletClient);
      await startClientAndWait(walletClient, { initialSyncLimit: 20 });
      const bob = await registerAndStartClient(baseUrl, 'bob');
      clients.push(bob);

      const profile = await bob.getProfileInfo(walletUserId);
      assert.equal(profile.displayname, wallet.address);
      assert.equal(
        (profile as Record<string, unknown>)['org.cairn.ethereum_address'],
        wallet.address,
      );

      const { room_id: roomId } = await walletClient.createRoom({
        preset: sdk.Preset.PrivateChat,
        invite: ['@bob:cairn.test'],
      });
      await waitUntil(
        () => bob.getRoom(roomId)?.getMyMembership() === 'invite',
        "bob's invite",
        30_000,
      );
      await bob.joinRoom(roomId);
      await walletClient.sendTextMessage(roomId, 'gm from a wallet');
      const bodies = (client: sdk.MatrixClient) =>
        (client.getRoom(roomId)?.getLiveTimeline().getEvents() ?? [])
          .filter((event) => event.getType() === 'm.room.message')
          .map((event) => `${event.getSender()}: ${event.getContent().body}`);
      await waitUntil(
        () => bodies(bob).includes(`${walletUserId}: gm from a wallet`),
        "the wallet user's message at bob",
        30_000,
      );
      await bob.sendTextMessage(roomId, 'gm, wallet');
      await waitUntil(
        () => bodies(walletClient).includes('@bob:cairn.test: gm, wallet'),
        "bob's reply at the wallet user",
        30_000,
      );

      // A second device, deleted with a signature where a password would be asked.
      const second = await anonymous.loginRequest({
        type: SIWE,
        ...(await signIn(baseUrl, wallet)),
      } as sdk.LoginRequest);
      const challenge = await walletClient.deleteDevice(second.device_id).then(
        () => assert.fail('deleting a device needs auth'),
        (error: sdk.MatrixError) => error,
      );
      assert.equal(challenge.httpStatus, 401);
      const offered = (challenge.data.flows as { stages: string[] }[]).map((flow) => flow.stages);
      assert.deepEqual(offered, [['m.login.password'], [SIWE]]);
      await walletClient.deleteDevice(second.device_id, {
        type: SIWE,
        session: challenge.data.session as string,
        ...(await signIn(baseUrl, wallet)),
      });
      const devices = await walletClient.getDevices();
      assert.deepEqual(
        devices.devices.map((device) => device.device_id),
        [login.device_id],
      );
    });

    test('a password user links a wallet, then signs in with either', async () => {
      const baseUrl = server.clientUrl;
      const carol = await registerAndStartClient(baseUrl, 'carol');
      clients.push(carol);
      const wallet = Wallet.createRandom();
      const linked = await postJson(
        `${baseUrl}/_cairn/v1/account/wallets`,
        {
          ...(await signIn(baseUrl, wallet)),
          auth: {
            type: 'm.login.password',
            identifier: { type: 'm.id.user', user: 'carol' },
            password: CLIENT_PASSWORD,
          },
        },
        carol.getAccessToken()!,
      );
      assert.deepEqual(linked, { status: 200, body: { address: wallet.address } });

      const anonymous = sdk.createClient({ baseUrl });
      const byWallet = await anonymous.loginRequest({
        type: SIWE,
        ...(await signIn(baseUrl, wallet)),
      } as sdk.LoginRequest);
      const byPassword = await anonymous.loginRequest({
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: 'carol' },
        password: CLIENT_PASSWORD,
      });
      assert.equal(byWallet.user_id, '@carol:cairn.test');
      assert.equal(byPassword.user_id, '@carol:cairn.test');
    });
  });
}
