// Application services against `cairn start` with rate limits on: a registration file loaded at
// start, matrix-js-sdk clients holding the as_token (as the sender, and as a puppet through
// `?user_id=`), and an ordinary user behind the same address. The ordinary user meets 429
// M_LIMIT_EXCEEDED; the service (rate_limited: false) sends and uploads far past the same limits,
// and spends nothing of the address's shared buckets. A bad registration file stops the start.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as sdk from 'matrix-js-sdk';
import { type CairnProcess, newDataDir, startCairn, testEnv } from '../support/cairn-process.ts';
import { dropScratchDatabase } from '../support/databases.ts';
import { PROCESS_BACKENDS, registerClient } from '../support/js-sdk-clients.ts';
import { NO_RATE_LIMITS } from '../support/no-rate-limits.ts';

const SERVER = 'cairn.test';
const AS_TOKEN = randomBytes(24).toString('hex');
const SENDER = `@_puppet_bot:${SERVER}`;
const PUPPET = `@_puppet_alice:${SERVER}`;
// Small limits, so the test reaches them quickly: 5 sends and 5 uploads per user, and for the
// whole address (every client here is on 127.0.0.1) 25 sends and 8 uploads.
const LIMITS = {
  CAIRN_RATE_LIMIT_MESSAGES_PER_SECOND: '0.05',
  CAIRN_RATE_LIMIT_MESSAGES_BURST: '5',
  CAIRN_RATE_LIMIT_MESSAGES_PER_IP_PER_SECOND: '0.05',
  CAIRN_RATE_LIMIT_MESSAGES_PER_IP_BURST: '25',
  CAIRN_RATE_LIMIT_MEDIA_UPLOADS_PER_SECOND: '0.05',
  CAIRN_RATE_LIMIT_MEDIA_UPLOADS_BURST: '5',
  CAIRN_RATE_LIMIT_MEDIA_UPLOADS_PER_IP_PER_SECOND: '0.05',
  CAIRN_RATE_LIMIT_MEDIA_UPLOADS_PER_IP_BURST: '8',
};

function registrationFile(dataDir: string, text: string): string {
  const path = join(dataDir, 'puppets-registration.yaml');
  writeFileSync(path, text);
  return path;
}

const REGISTRATION = `id: puppets
url: null
as_token: ${AS_TOKEN}
hs_token: ${randomBytes(24).toString('hex')}
sender_localpart: _puppet_bot
rate_limited: false
namespaces:
  users:
    - exclusive: true
      regex: "@_puppet_.*"
`;

/** The server's env: the default limits (not the tests' "none"), with LIMITS over them. */
function limitedEnv(dataDir: string, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = testEnv(dataDir, extra);
  for (const key of Object.keys(NO_RATE_LIMITS)) delete env[key];
  return { ...env, ...LIMITS };
}

/** The errcode and wait of a refused request; fails if it went through. */
async function refusal(request: Promise<unknown>): Promise<{ errcode: string; wait: number }> {
  try {
    await request;
  } catch (err) {
    if (!(err instanceof sdk.MatrixError)) throw err;
    return { errcode: err.errcode ?? '', wait: Number(err.data.retry_after_ms) };
  }
  assert.fail('the request went through');
}

for (const backend of PROCESS_BACKENDS) {
  describe(`application services and rate limits on ${backend.name}`, {
    skip: backend.skip,
  }, () => {
    let server: CairnProcess;
    let databaseUrl: string | undefined;

    before(async () => {
      databaseUrl = await backend.databaseUrl();
      const dataDir = newDataDir();
      server = await startCairn(
        limitedEnv(dataDir, {
          CAIRN_SERVER_NAME: SERVER,
          CAIRN_ENABLE_REGISTRATION: 'true',
          CAIRN_APP_SERVICE_CONFIG_FILES: registrationFile(dataDir, REGISTRATION),
          ...(databaseUrl ? { CAIRN_DATABASE_URL: databaseUrl } : {}),
        }),
      );
    });
    after(async () => {
      await server?.stop();
      if (databaseUrl) await dropScratchDatabase(process.env.CAIRN_TEST_DATABASE_URL!, databaseUrl);
    });

    test('an ordinary user is limited; the service and its puppet are not', async () => {
      const baseUrl = server.clientUrl;
      // The sender exists from the start; the as_token acts as it.
      const service = sdk.createClient({ baseUrl, accessToken: AS_TOKEN, userId: SENDER });
      assert.equal((await service.whoami()).user_id, SENDER);
      const flows = await service.loginFlows();
      assert.ok(flows.flows.some((flow) => flow.type === 'm.login.application_service'));

      const registered = await service.http.authedRequest<{ user_id: string }>(
        sdk.Method.Post,
        '/register',
        undefined,
        { type: 'm.login.application_service', username: '_puppet_alice', inhibit_login: true },
      );
      assert.equal(registered.user_id, PUPPET);
      // Every request of this client carries ?user_id= (the sdk's option for services).
      const puppet = sdk.createClient({
        baseUrl,
        accessToken: AS_TOKEN,
        userId: PUPPET,
        queryParams: { user_id: PUPPET },
      });
      assert.equal((await puppet.whoami()).user_id, PUPPET);

      // Straight HTTP, not the sdk's event scheduler, which would wait out a 429 and retry.
      let txn = 0;
      const send = (client: sdk.MatrixClient, roomId: string) =>
        client.http.authedRequest(
          sdk.Method.Put,
          `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/t${++txn}`,
          undefined,
          { msgtype: 'm.text', body: `message ${txn}` },
        );
      const upload = (client: sdk.MatrixClient) =>
        client.uploadContent(randomBytes(64), { type: 'application/octet-stream' });

      const { room_id: roomId } = await puppet.createRoom({ preset: sdk.Preset.PublicChat });
      for (let i = 0; i < 30; i++) await send(puppet, roomId);
      for (let i = 0; i < 10; i++) await upload(puppet);
      await service.joinRoom(roomId);
      for (let i = 0; i < 30; i++) await send(service, roomId);
      for (let i = 0; i < 10; i++) await upload(service);

      const alice = await registerClient(baseUrl, 'alice');
      await alice.joinRoom(roomId);
      for (let i = 0; i < 5; i++) await send(alice, roomId);
      const limited = await refusal(send(alice, roomId));
      assert.equal(limited.errcode, 'M_LIMIT_EXCEEDED');
      assert.ok(limited.wait > 0 && limited.wait <= 20_000, String(limited.wait));
      for (let i = 0; i < 5; i++) await upload(alice);
      assert.equal((await refusal(upload(alice))).errcode, 'M_LIMIT_EXCEEDED');
      // The service still goes on after the ordinary user was stopped.
      await send(puppet, roomId);
      await send(service, roomId);

      // A second ordinary user behind the same address: the 60 service sends and 20 uploads took
      // nothing from the address's buckets (25 and 8), alice's 5 and 5 did.
      const bob = await registerClient(baseUrl, 'bob');
      await bob.joinRoom(roomId);
      for (let i = 0; i < 3; i++) await upload(bob);
      assert.equal((await refusal(upload(bob))).errcode, 'M_LIMIT_EXCEEDED');

      // The service logs its puppet in without a password; ordinary sign-up of its names fails.
      const login = await service.http.authedRequest<{ user_id: string; access_token: string }>(
        sdk.Method.Post,
        '/login',
        undefined,
        {
          type: 'm.login.application_service',
          identifier: { type: 'm.id.user', user: '_puppet_alice' },
        },
      );
      assert.equal(login.user_id, PUPPET);
      const anonymous = sdk.createClient({ baseUrl });
      assert.equal(
        (await refusal(anonymous.isUsernameAvailable('_puppet_carol'))).errcode,
        'M_EXCLUSIVE',
      );
    });
  });
}

test('cairn start refuses a bad registration file, naming it', async () => {
  const dataDir = newDataDir();
  const bad = registrationFile(
    dataDir,
    REGISTRATION.replace('sender_localpart: _puppet_bot\n', ''),
  );
  await assert.rejects(
    startCairn(testEnv(dataDir, { CAIRN_APP_SERVICE_CONFIG_FILES: bad })),
    (err: Error) =>
      err.message.includes(`Invalid application service registration ${bad}`) &&
      err.message.includes("required property 'sender_localpart'"),
  );
});
