// Fuzzes every client API route the app registers (issue 11, hostile input): each gets FUZZ_RUNS
// generated requests with hostile path parameters, query strings and bodies (wrong types, huge
// values, deep nesting, invalid UTF-8, unknown fields, sizes around the body limit, non-JSON,
// nothing), mostly with a valid access token so the handler's own checks are reached. No answer
// may be a 5xx or late, every error is JSON with an errcode, nothing may escape as an uncaught
// error, and the store must be as consistent after as before, with a bystander's view unchanged.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { hashPassword } from '../../server/accounts/password-hash.ts';
import { type ClientHarness, TEST_PASSWORD, withClient } from '../support/client-harness.ts';
import { DATABASE_KINDS, newUser } from '../support/databases.ts';
import { roomClient } from '../support/room-client.ts';
import { CLIENT_V3 } from '../support/room-fixtures.ts';
import { type FuzzBody, fuzzBody, fuzzPathValue, fuzzQuery, poolOf } from './fuzz-inputs.ts';
import {
  answerProblem,
  collectEscapedErrors,
  describeRequest,
  FUZZ_RUNS,
  type FuzzResult,
  fillPath,
  formatStatuses,
  fuzzRoutes,
  injectWithTimeout,
  listRoutes,
  pathParams,
  type Route,
  recordHandlerErrors,
  schemaProbe,
} from './fuzz-runner.ts';
import { checkStore, clientCaller, observe, roomStateOf, stillWorks } from './store-invariants.ts';

// Small, so that bodies around the limit stay cheap; the limit's code path is the same.
const BODY_LIMIT = 65_536;

type Auth = 'user' | 'admin' | 'none' | 'garbage' | 'query';

// Mostly a valid token, so that the handler's own checks are what the input meets.
const AUTH = fc.oneof(
  { arbitrary: fc.constant<Auth>('user'), weight: 5 },
  { arbitrary: fc.constantFrom<Auth>('admin', 'none', 'garbage', 'query'), weight: 4 },
);

interface ClientInput {
  params: string[];
  query: string;
  body: FuzzBody;
  auth: Auth;
}

for (const kind of DATABASE_KINDS) {
  test(
    `${kind}: every client endpoint answers generated bad input without a server error`,
    { timeout: 600_000 },
    (t) =>
      withClient(
        t,
        kind,
        async (client) => {
          const probe = schemaProbe(client.app);
          const thrown = recordHandlerErrors(client.app);
          const world = await buildWorld(client);
          await client.app.ready();
          const routes = listRoutes(client.app);
          assert.ok(routes.length > 100, `only ${routes.length} routes found`);

          const before = await checkStore(client.db);
          assert.deepEqual(before.problems, [], 'store inconsistent before fuzzing');
          const call = clientCaller(client.app);
          const seen = await observe(call, world.observer.accessToken);
          assert.ok(seen.joined.includes(world.observerRoom));
          const observerState = await roomStateOf(client.db, world.observerRoom);

          let tokens = { user: '', admin: '' };
          let result: FuzzResult | undefined;
          const escaped = await collectEscapedErrors(async () => {
            result = await fuzzRoutes<ClientInput>({
              routes,
              runs: FUZZ_RUNS,
              async inputs(route) {
                // A fresh login per route: a fuzzed logout must not leave later routes at 401.
                tokens = {
                  user: (await client.newLogin(world.fuzzer.userId)).accessToken,
                  admin: (await client.newLogin(world.admin.userId)).accessToken,
                };
                const schema = await probe(route);
                return fc.record({
                  params: fc.tuple(
                    ...pathParams(route.path).map((name) => fuzzPathValue(name, world.pool)),
                  ),
                  query: fuzzQuery(schema.querystring, world.pool),
                  body: fuzzBody(schema.body, world.pool, BODY_LIMIT),
                  auth: AUTH,
                });
              },
              async send(route, input) {
                const response = await injectWithTimeout(client.app, request(route, input, tokens));
                return {
                  status: response?.statusCode,
                  problem: answerProblem(response, thrown.take()),
                };
              },
              describe: (route, input) => describeRequest(request(route, input, tokens)),
            });
          });
          const { tried, findings, statuses } = result!;
          t.diagnostic(
            `${kind}: ${tried} inputs tried over ${routes.length} client routes (${formatStatuses(statuses)})`,
          );
          assert.deepEqual(escaped, [], 'errors escaped the handlers');
          assert.deepEqual(findings, [], 'fuzzing found server errors');

          const after = await checkStore(client.db);
          assert.deepEqual(after.problems, [], 'store inconsistent after fuzzing');
          t.diagnostic(
            `${kind}: store ${before.events} -> ${after.events} events, ${before.rooms} -> ${after.rooms} rooms`,
          );
          // The fuzzed user cannot have become someone else's problem.
          assert.deepEqual((await observe(call, world.observer.accessToken)).joined, seen.joined);
          assert.deepEqual(await roomStateOf(client.db, world.observerRoom), observerState);
          assert.equal(
            await stillWorks(call, world.observer.accessToken, world.observerRoom, seen.nextBatch),
            undefined,
          );
          const whoami = await call(
            'GET',
            `${CLIENT_V3}/account/whoami`,
            (await client.newLogin(world.fuzzer.userId)).accessToken,
          );
          assert.equal(whoami.status, 200, 'the fuzzed account still works');
        },
        // Registration and Sign-In with Ethereum on, so that their handlers are reached too.
        {
          CAIRN_MAX_REQUEST_BODY_BYTES: String(BODY_LIMIT),
          CAIRN_ENABLE_REGISTRATION: 'true',
          CAIRN_SIWE_ENABLED: 'true',
        },
      ),
  );
}

function request(route: Route, input: ClientInput, tokens: { user: string; admin: string }) {
  let url = fillPath(route.path, input.params) + input.query;
  const headers: Record<string, string> = {};
  if (input.auth === 'user' || input.auth === 'admin') {
    headers.authorization = `Bearer ${tokens[input.auth]}`;
  } else if (input.auth === 'garbage') {
    headers.authorization = 'Bearer \u00ff not a token';
  } else if (input.auth === 'query') {
    url += `${url.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(tokens.user)}`;
  }
  if (input.body.contentType !== undefined) headers['content-type'] = input.body.contentType;
  const sendsBody = input.body.payload !== undefined && route.method !== 'GET';
  return {
    kind: input.body.kind,
    method: route.method as 'GET',
    url,
    headers,
    ...(sendsBody ? { payload: input.body.payload } : {}),
  };
}

/**
 * Accounts and rooms for the fuzzer to aim at: `fuzzer` (the token most requests carry) owns a
 * public room with history, an alias, a filter, a key backup, media; `admin` is a server admin;
 * `observer` is a bystander with a private room of their own, whose view must not change.
 */
async function buildWorld(client: ClientHarness) {
  const rooms = roomClient(client);
  const fuzzer = await client.newAccount('fuzzer');
  const observer = await client.newAccount('observer');
  await newUser(client.db, 'admin', {
    isAdmin: true,
    passwordHash: await hashPassword(TEST_PASSWORD),
  });
  const admin = { userId: '@admin:example.org', ...(await client.newLogin('@admin:example.org')) };
  const as = { token: fuzzer.accessToken };

  const fuzzRoom = await rooms.createRoom(fuzzer, { preset: 'public_chat', name: 'fuzz' });
  const message = await rooms.send(fuzzer, fuzzRoom, { msgtype: 'm.text', body: 'hello' });
  const reaction = await rooms.send(
    fuzzer,
    fuzzRoom,
    { 'm.relates_to': { rel_type: 'm.annotation', event_id: message, key: '👍' } },
    'm.reaction',
  );
  const observerRoom = await rooms.createRoom(observer, { preset: 'private_chat' });
  const observerMessage = await rooms.send(observer, observerRoom, {
    msgtype: 'm.text',
    body: 'mine',
  });
  await client.call(
    'PUT',
    `${CLIENT_V3}/directory/room/${encodeURIComponent('#fuzz:example.org')}`,
    {
      ...as,
      body: { room_id: fuzzRoom },
    },
  );
  const filter = await client.call(
    'POST',
    `${CLIENT_V3}/user/${encodeURIComponent(fuzzer.userId)}/filter`,
    {
      ...as,
      body: { room: { timeline: { limit: 5 } } },
    },
  );
  const backup = await client.call('POST', `${CLIENT_V3}/room_keys/version`, {
    ...as,
    body: { algorithm: 'm.megolm_backup.v1.curve25519-aes-sha2', auth_data: { public_key: 'abc' } },
  });
  const upload = await client.app.inject({
    method: 'POST',
    url: '/_matrix/media/v3/upload?filename=a.txt',
    headers: { authorization: `Bearer ${fuzzer.accessToken}`, 'content-type': 'text/plain' },
    payload: 'media for the fuzzer',
  });
  const mediaId = String(
    (upload.json() as { content_uri?: string }).content_uri ?? 'mxc://example.org/none',
  )
    .split('/')
    .pop()!;
  // Make the setup's own success visible: a world that failed to build fuzzes nothing.
  assert.equal(filter.status, 200);
  assert.equal(backup.status, 200);
  assert.equal(upload.statusCode, 200, upload.body);

  const values: Record<string, string[]> = {
    roomId: [fuzzRoom, observerRoom, '!nowhere:example.org', '!x:remote.test'],
    roomAlias: ['#fuzz:example.org', '#new:example.org', '#x:remote.test'],
    eventId: [message, reaction, observerMessage, '$nowhere'],
    userId: [fuzzer.userId, observer.userId, admin.userId, '@nobody:example.org', '@x:remote.test'],
    eventType: [
      'm.room.message',
      'm.room.member',
      'm.room.power_levels',
      'm.room.name',
      'm.room.create',
      'm.reaction',
      'org.fuzz',
    ],
    stateKey: ['', fuzzer.userId, observer.userId],
    deviceId: [fuzzer.deviceId, 'NOPE'],
    serverName: ['example.org', 'remote.test', 'localhost:8448', '[::1]'],
    mediaId: [mediaId, 'none'],
    fileName: ['a.txt'],
    kind: ['override', 'underride', 'sender', 'room', 'content'],
    ruleId: ['.m.rule.master', '.m.rule.message', 'custom'],
    receiptType: ['m.read', 'm.read.private', 'm.fully_read'],
    relType: ['m.annotation', 'm.thread', 'm.reference'],
    filterId: [String(filter.body.filter_id), '0'],
    version: [String(backup.body.version), '999'],
    sessionId: ['session'],
    type: ['m.direct', 'm.push_rules', 'm.fully_read', 'org.fuzz', 'm.login.password'],
    membership: ['join', 'leave', 'invite', 'ban', 'knock'],
    msgtype: ['m.text', 'm.image'],
    txnId: ['t1', 't2'],
    cid: ['bafkqaaa', 'x'],
    address: ['0x0000000000000000000000000000000000000001'],
  };
  values.roomIdOrAlias = [...values.roomId!, ...values.roomAlias!];
  values.room_id = values.roomId!;
  values.user_id = values.userId!;
  values.event_id = values.eventId!;
  values.device_id = values.deviceId!;
  return { fuzzer, observer, admin, fuzzRoom, observerRoom, pool: poolOf(values) };
}

// Each input the fuzzer (or a probe of the same class of fault) found a 500 with, now refused as
// the bad input it is: M_INVALID_PARAM for the path and query, M_BAD_JSON for the body.
test('pglite: the inputs that once were server errors are refused as bad input', (t) =>
  withClient(
    t,
    'pglite',
    async (client) => {
      const me = await client.newAccount('fuzzer');
      const room = encodeURIComponent(await roomClient(client).createRoom(me, {}));
      const user = encodeURIComponent(me.userId);
      const deep = `${'{"a":'.repeat(10_000)}0${'}'.repeat(10_000)}`;
      const login = (extra: string) =>
        `{"type":"m.login.password","identifier":{"type":"m.id.user","user":"fuzzer"},"password":"${TEST_PASSWORD}",${extra}}`;
      const inPath = [
        `GET ${CLIENT_V3}/rooms/%00/state`,
        `PUT ${CLIENT_V3}/rooms/${room}/send/m.room.message/a%00b`,
        `GET ${CLIENT_V3}/presence/%00/status`,
        'GET /_matrix/client/v1/media/download/%7B%7D/media',
      ];
      const inBody: [string, string][] = [
        [`PUT ${CLIENT_V3}/rooms/${room}/state/m.room.message`, `{"nested":${deep}}`],
        [`PUT ${CLIENT_V3}/devices/${me.deviceId}`, '{"display_name":"a\\u0000b"}'],
        [`POST ${CLIENT_V3}/account/password`, '{"new_password":"x","auth":{"session":"\\u0000"}}'],
        [`PUT ${CLIENT_V3}/profile/${user}/displayname`, '{"displayname":"\\u0000"}'],
        [`PUT ${CLIENT_V3}/profile/${user}/avatar_url`, '{"avatar_url":"\\u0000"}'],
        [`POST ${CLIENT_V3}/user_directory/search`, '{"search_term":"a\\u0000b"}'],
        [
          `PUT ${CLIENT_V3}/presence/${user}/status`,
          '{"presence":"online","status_msg":"\\u0000"}',
        ],
        [`POST ${CLIENT_V3}/login`, login('"device_id":"a\\u0000"')],
        [`POST ${CLIENT_V3}/login`, login('"initial_device_display_name":"\\u0000"')],
        [`POST ${CLIENT_V3}/login`, '{"type":"m.login.password","user":"a\\u0000","password":"x"}'],
        [`POST ${CLIENT_V3}/register`, '{"username":"a\\u0000","password":"x"}'],
        [`POST ${CLIENT_V3}/keys/query`, '{"device_keys":{"@a\\u0000:example.org":[]}}'],
        [`POST ${CLIENT_V3}/keys/claim`, `{"one_time_keys":{"${me.userId}":{"D\\u0000":"x"}}}`],
        [`POST ${CLIENT_V3}/createRoom`, '{"invite":["@a\\u0000:example.org"]}'],
        [`POST ${CLIENT_V3}/createRoom`, '{"initial_state":[{"type":"a\\u0000","content":{}}]}'],
      ];
      const cases = [
        ...inPath.map((request) => [request, undefined, 'M_INVALID_PARAM'] as const),
        ...inBody.map(([request, body]) => [request, body, 'M_BAD_JSON'] as const),
      ];
      const wrong: string[] = [];
      for (const [request, body, errcode] of cases) {
        const [method, url] = request.split(' ') as [string, string];
        // Straight to the app: the harness's call() would stop at the first 500.
        const response = await client.app.inject({
          method: method as 'GET',
          url,
          headers: {
            authorization: `Bearer ${me.accessToken}`,
            'content-type': 'application/json',
          },
          ...(body === undefined ? {} : { payload: body }),
        });
        const got = `${response.statusCode} ${response.json().errcode}`;
        if (got !== `400 ${errcode}`)
          wrong.push(`${request.slice(0, 90)} ${body?.slice(0, 60)}: ${got}`);
      }
      assert.deepEqual(wrong, []);
    },
    { CAIRN_ENABLE_REGISTRATION: 'true' },
  ));

// The store checks are only worth running if they notice a broken store.
test('pglite: the store checks notice an event that does not parse and a room without extremities', (t) =>
  withClient(t, 'pglite', async (client) => {
    const me = await client.newAccount('alice');
    const roomId = await roomClient(client).createRoom(me, { name: 'checked' });
    assert.deepEqual((await checkStore(client.db)).problems, []);
    const name = await client.db
      .selectFrom('current_state')
      .select('event_id')
      .where('room_id', '=', roomId)
      .where('type', '=', 'm.room.name')
      .executeTakeFirstOrThrow();
    await client.db
      .updateTable('events')
      .set({ json: '{"broken":' })
      .where('event_id', '=', name.event_id)
      .execute();
    await client.db.deleteFrom('room_forward_extremities').where('room_id', '=', roomId).execute();
    const { problems } = await checkStore(client.db);
    assert.ok(
      problems.some((line) => line.includes(`event ${name.event_id}: json does not parse`)),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((line) => line.includes(`room ${roomId}: no extremities`)),
      problems.join('\n'),
    );
  }));
