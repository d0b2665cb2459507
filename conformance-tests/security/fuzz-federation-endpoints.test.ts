// Fuzzes every federation route the app registers (issue 11, hostile input), as a peer would:
// `origin.test` (in a room with us, its signing key known) signs most requests, the rest come
// unsigned, with garbage X-Matrix headers, or with a signature that does not verify. Bodies are
// the client fuzzer's (schema-shaped, deep, huge, not UTF-8, not JSON), and for the routes that
// take events, PDUs built like a real peer's (right room, prev and auth events, hashed and
// signed) with fields broken, plus EDUs likewise. No answer may be a 5xx or late; afterwards the
// store is consistent and local users see what they saw, and can still talk.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { FastifyInstance, FastifySchema } from 'fastify';
import type { ServerKeyStore } from '../../federation/keys/remote-keys.ts';
import { authorizationHeader, formatXMatrix } from '../../federation/transport/x-matrix.ts';
import { buildFederationApp } from '../../server/app.ts';
import type { JsonObject } from '../../server/core/pdu.ts';
import { withClient } from '../support/client-harness.ts';
import { DATABASE_KINDS, TEST_NOW } from '../support/databases.ts';
import { remoteSigningKey } from '../support/federation-request.ts';
import {
  BOB,
  buildWorld,
  eventBody,
  knownKeys,
  ORIGIN,
  type PeerBody,
  peerPdu,
  type World,
} from './fuzz-federation-peer.ts';
import { type FuzzBody, fuzzBody, fuzzPathValue, fuzzQuery } from './fuzz-inputs.ts';
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
import { nastyString } from './fuzz-values.ts';
import { checkStore, clientCaller, observe, roomStateOf, stillWorks } from './store-invariants.ts';

const BODY_LIMIT = 65_536;

type Auth = 'signed' | 'other-origin' | 'bad-signature' | 'garbage' | 'none';

interface FederationInput {
  params: string[];
  query: string;
  body: FuzzBody;
  /** For routes that take an event, mostly: its room and id, to put in the path as they are. */
  inPath?: PeerBody['inPath'];
  auth: Auth;
  garbage: string;
}

// Mostly signed by the peer in the room; the rest must be refused before anything is read.
const AUTH = fc.oneof(
  { arbitrary: fc.constant<Auth>('signed'), weight: 6 },
  {
    arbitrary: fc.constantFrom<Auth>('other-origin', 'bad-signature', 'garbage', 'none'),
    weight: 4,
  },
);
const GARBAGE_HEADERS = fc.oneof(
  fc.constantFrom(
    'X-Matrix',
    'X-Matrix origin=',
    'X-Matrix origin="a",key="b"',
    'Bearer x',
    `X-Matrix origin=${ORIGIN},key="ed25519:remote",sig="@@@"`,
    'X-Matrix origin="a",origin="b",key="k",sig="s"',
    'x-matrix origin="\\"',
  ),
  nastyString.map((text) => `X-Matrix origin="${text}",key="ed25519:remote",sig="AAAA"`),
);

for (const kind of DATABASE_KINDS) {
  test(
    `${kind}: every federation endpoint answers generated bad input without a server error`,
    { timeout: 600_000 },
    (t) =>
      withClient(
        t,
        kind,
        async (client) => {
          (client.ctx.federation as { serverKeys: ServerKeyStore }).serverKeys = knownKeys;
          const app = buildFederationApp(client.ctx, undefined, knownKeys);
          t.after(() => app.close());
          const probe = schemaProbe(app);
          const thrown = recordHandlerErrors(app);
          const world = await buildWorld(client);
          await app.ready();
          const routes = listRoutes(app);
          assert.ok(routes.length > 25, `only ${routes.length} routes found`);
          await assertCleanPduAccepted(app, world);

          const before = await checkStore(client.db);
          assert.deepEqual(before.problems, [], 'store inconsistent before fuzzing');
          const call = clientCaller(client.app);
          const aliceView = await observe(call, world.alice.accessToken);
          const carolView = await observe(call, world.carol.accessToken);
          const carolState = await roomStateOf(client.db, world.carolRoom);

          let result: FuzzResult | undefined;
          const escaped = await collectEscapedErrors(async () => {
            result = await fuzzRoutes<FederationInput>({
              routes,
              runs: FUZZ_RUNS,
              inputs: async (route) => inputsFor(route, await probe(route), world),
              async send(route, input) {
                const response = await injectWithTimeout(app, request(route, input));
                return {
                  status: response?.statusCode,
                  problem: answerProblem(response, thrown.take()),
                };
              },
              describe: (route, input) => describeRequest(request(route, input)),
            });
          });
          const { tried, findings, statuses } = result!;
          t.diagnostic(
            `${kind}: ${tried} inputs tried over ${routes.length} federation routes (${formatStatuses(statuses)})`,
          );
          assert.deepEqual(escaped, [], 'errors escaped the handlers');
          assert.deepEqual(findings, [], 'fuzzing found server errors');

          const after = await checkStore(client.db);
          assert.deepEqual(after.problems, [], 'store inconsistent after fuzzing');
          t.diagnostic(
            `${kind}: store ${before.events} -> ${after.events} events, ${before.rooms} -> ${after.rooms} rooms`,
          );
          // No peer can change who is in a room of ours it is not in, or stop us talking.
          assert.deepEqual((await observe(call, world.alice.accessToken)).joined, aliceView.joined);
          assert.deepEqual((await observe(call, world.carol.accessToken)).joined, carolView.joined);
          assert.deepEqual(await roomStateOf(client.db, world.carolRoom), carolState);
          assert.equal(
            await stillWorks(call, world.alice.accessToken, world.roomId, aliceView.nextBatch),
            undefined,
          );
          assert.equal(
            await stillWorks(call, world.carol.accessToken, world.carolRoom, carolView.nextBatch),
            undefined,
          );
        },
        { CAIRN_MAX_REQUEST_BODY_BYTES: String(BODY_LIMIT) },
      ),
  );
}

function inputsFor(
  route: Route,
  schema: FastifySchema,
  world: World,
): fc.Arbitrary<FederationInput> {
  const schemaBody = fuzzBody(schema.body, world.pool, BODY_LIMIT).map((body) => ({
    body,
    inPath: undefined,
  }));
  const events = eventBody(route, world);
  return fc
    .record({
      params: fc.tuple(...pathParams(route.path).map((name) => fuzzPathValue(name, world.pool))),
      query: fuzzQuery(schema.querystring, world.pool),
      payload: events
        ? fc.oneof({ arbitrary: events, weight: 3 }, { arbitrary: schemaBody, weight: 1 })
        : schemaBody,
      auth: AUTH,
      garbage: GARBAGE_HEADERS,
    })
    .map(({ payload, ...rest }) => ({ ...rest, ...payload }));
}

/**
 * The PDU builder's unbroken output is a PDU the server takes: so the fuzzed ones reach the auth
 * rules and the store, rather than all stopping at the first check.
 */
async function assertCleanPduAccepted(app: FastifyInstance, world: World): Promise<void> {
  const clean = peerPdu(world, 'm.room.message', undefined, false);
  const [{ pdu, eventId }] = fc.sample(clean, { numRuns: 1, seed: 1 }) as [
    { pdu: unknown; eventId: string },
  ];
  const body = { origin: ORIGIN, origin_server_ts: TEST_NOW, pdus: [pdu] };
  const response = await injectWithTimeout(
    app,
    request(
      { method: 'PUT', path: '/_matrix/federation/v1/send/:txnId' },
      {
        params: ['clean'],
        query: '',
        body: { kind: 'clean', payload: JSON.stringify(body) },
        auth: 'signed',
        garbage: '',
      },
    ),
  );
  assert.deepEqual(response?.json(), { pdus: { [eventId]: {} } });
}

function request(route: Route, input: FederationInput) {
  const params = [...input.params];
  const names = pathParams(route.path);
  for (const [name, value] of Object.entries(input.inPath ?? {})) {
    if (value !== undefined && names.includes(name)) {
      params[names.indexOf(name)] = encodeURIComponent(value);
    }
  }
  const url = fillPath(route.path, params) + input.query;
  const headers: Record<string, string> = {};
  if (input.body.contentType !== undefined) headers['content-type'] = input.body.contentType;
  const authorization = authorizationFor(route.method, url, input);
  if (authorization !== undefined) headers.authorization = authorization;
  const sendsBody = input.body.payload !== undefined && route.method !== 'GET';
  return {
    kind: input.body.kind,
    method: route.method as 'GET',
    url,
    headers,
    ...(sendsBody ? { payload: input.body.payload } : {}),
  };
}

/** The X-Matrix header `input.auth` asks for, signed over what is actually sent. */
function authorizationFor(method: string, uri: string, input: FederationInput): string | undefined {
  if (input.auth === 'none') return undefined;
  if (input.auth === 'garbage') return input.garbage;
  const origin = input.auth === 'other-origin' ? 'stranger.test' : ORIGIN;
  const badSignature = formatXMatrix({
    origin,
    destination: 'example.org',
    key: remoteSigningKey(origin).keyId,
    sig: 'AAAA',
  });
  if (input.auth === 'bad-signature') return badSignature;
  let content: JsonObject | undefined;
  const payload = method === 'GET' ? undefined : input.body.payload;
  if (payload !== undefined) {
    try {
      content = JSON.parse(Buffer.from(payload).toString('utf8'));
    } catch {
      // Not JSON: the server refuses the body before it looks at the signature.
    }
  }
  try {
    return authorizationHeader(
      { method, uri, origin, destination: 'example.org', content },
      remoteSigningKey(origin),
    );
  } catch {
    // No canonical JSON for this body (a lone surrogate, a number past 2^53): no signature can
    // cover it, so it goes with one that cannot verify, and the server must still not fail.
    return badSignature;
  }
}

// The inputs the fuzzer found a 500 with: a member event or invite with no canonical JSON (here a
// float depth, which redaction keeps) could be given no event id, and that escaped as a 500.
test('pglite: membership and invite events without canonical JSON are refused as bad input', (t) =>
  withClient(t, 'pglite', async (client) => {
    (client.ctx.federation as { serverKeys: ServerKeyStore }).serverKeys = knownKeys;
    const app = buildFederationApp(client.ctx, undefined, knownKeys);
    t.after(() => app.close());
    const world = await buildWorld(client);
    const room = encodeURIComponent(world.roomId);
    const member = (membership: string, stateKey: string) => ({
      room_id: world.roomId,
      sender: BOB,
      type: 'm.room.member',
      state_key: stateKey,
      content: { membership },
      depth: 1.5,
      prev_events: [world.latest],
      auth_events: [world.auth.create, world.auth.power, world.auth.bob],
      origin_server_ts: TEST_NOW,
      hashes: {},
      signatures: {},
    });
    const cases: [string, unknown][] = [
      [`/_matrix/federation/v2/send_leave/${room}/%24x`, member('leave', BOB)],
      [
        `/_matrix/federation/v2/invite/${room}/%24x`,
        { room_version: '10', event: member('invite', world.carol.userId) },
      ],
    ];
    for (const [url, body] of cases) {
      const payload = JSON.stringify(body);
      const response = await app.inject({
        method: 'PUT',
        url,
        headers: {
          'content-type': 'application/json',
          authorization: authorizationHeader(
            {
              method: 'PUT',
              uri: url,
              origin: ORIGIN,
              destination: 'example.org',
              content: JSON.parse(payload),
            },
            remoteSigningKey(ORIGIN),
          ),
        },
        payload,
      });
      assert.equal(response.statusCode, 400, `${url}: ${response.body}`);
      assert.equal(response.json().errcode, 'M_BAD_JSON');
    }
  }));
