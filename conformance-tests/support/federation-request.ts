// An in-process federation app for route tests, called by other servers through signed X-Matrix
// requests (fastify inject, no network). Each remote server has a fixed signing key that our key
// store knows already, so requests verify without fetching keys. Every answer is checked against
// the spec's server-server API: 200s against their schema, errors as standard error bodies.
// `roomWithRemoteMember` makes the usual fixture: a public room of a local user that a user of a
// remote server joined (the local send path takes a remote sender), so that server is in it.
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { FederationContext } from '../../federation/federation-context.ts';
import type { ServerKeyStore } from '../../federation/keys/remote-keys.ts';
import { authorizationHeader } from '../../federation/transport/x-matrix.ts';
import { buildFederationApp } from '../../server/app.ts';
import type { Context, ServerSigningKey } from '../../server/context.ts';
import type { JsonObject } from '../../server/core/pdu.ts';
import { getRoomVersion } from '../../server/core/room-versions.ts';
import { type Endpoint, registerEndpoints } from '../../server/http/endpoint.ts';
import { toServerSigningKey } from '../../server/keys/signing-key-file.ts';
import { createRoom } from '../../server/rooms/create-room.ts';
import { type RoomDeps, roomDepsOf } from '../../server/rooms/room-deps.ts';
import { sendLocalEvent } from '../../server/rooms/send-local-event.ts';
import type { Database } from '../../server/storage/schema.ts';
import { loadSpecValidator } from './openapi-validator.ts';
import { buildTestContext } from './test-context.ts';

const spec = await loadSpecValidator();

export interface FederationReply {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read into replies freely
  readonly body: any;
}

export interface FederationTestServer {
  readonly ctx: Context;
  readonly deps: RoomDeps;
  readonly app: FastifyInstance;
  readonly serverName: string;
  /** A request signed by `origin` (any server name: its key is made up and known to us). */
  call(
    origin: string,
    method: 'GET' | 'POST',
    url: string,
    body?: JsonObject,
  ): Promise<FederationReply>;
  close(): Promise<void>;
}

/** A fixed key per server name, so any name a test picks can sign requests. */
export function remoteSigningKey(serverName: string): ServerSigningKey {
  const seed = createHash('sha256').update(serverName).digest();
  return toServerSigningKey({
    algorithm: 'ed25519',
    version: 'remote',
    seed: new Uint8Array(seed),
  });
}

const knownKeys: ServerKeyStore = {
  getVerifyKey: async (serverName, keyId) => {
    const key = remoteSigningKey(serverName);
    return keyId === key.keyId ? key.publicKeyBase64 : undefined;
  },
  getKeyResponses: async () => [],
};

export async function startFederationTestServer(
  db: Kysely<Database>,
  // biome-ignore lint/suspicious/noExplicitAny: endpoints differ in their request generics
  endpoints: readonly Endpoint<FederationContext, any, any, any>[],
  env: NodeJS.ProcessEnv = {},
): Promise<FederationTestServer> {
  const ctx = buildTestContext(db, env);
  const app = buildFederationApp(ctx, undefined, knownKeys);
  // Endpoints the federation app does not serve yet (server/app.ts registers each once it is
  // ready) are added here. They read the process context only; the app's own federation
  // services (transaction cache, EDU handlers, ...) are left out rather than kept in step.
  const missing = endpoints.filter((endpoint) =>
    [endpoint.method].flat().some((method) => !app.hasRoute({ method, url: endpoint.path })),
  );
  const federation = { ...ctx, serverKeys: knownKeys } as Context as FederationContext;
  registerEndpoints(app, federation, missing);
  await app.ready();
  const serverName = ctx.config.serverName;
  return {
    ctx,
    // Invites of remote users would go to their servers to be countersigned; here the invited
    // server is taken to accept them as they are.
    deps: { ...roomDepsOf(ctx), exchangeInvite: async (_version, invite) => invite },
    app,
    serverName,
    async call(origin, method, url, body) {
      const authorization = authorizationHeader(
        { method, uri: url, origin, destination: serverName, content: body },
        remoteSigningKey(origin),
      );
      const response = await app.inject({
        method,
        url,
        headers: { authorization },
        ...(body === undefined ? {} : { payload: body }),
      });
      const reply = { status: response.statusCode, body: response.json() };
      spec.assertResponse({ api: 'server-server', method, path: url, ...reply });
      return reply;
    },
    close: () => app.close(),
  };
}

export interface RoomFixture {
  readonly roomId: string;
  /** The local creator. */
  readonly alice: string;
  /** The remote member, on `remoteServer`. */
  readonly bob: string;
}

/** A public room of `@alice:<us>` that `@bob:<remoteServer>` joined. */
export async function roomWithRemoteMember(
  server: FederationTestServer,
  options: { versionId?: string; remoteServer?: string } = {},
): Promise<RoomFixture> {
  const alice = `@alice:${server.serverName}`;
  const bob = `@bob:${options.remoteServer ?? 'origin.test'}`;
  const roomId = await createRoom(server.deps, {
    creator: alice,
    version: getRoomVersion(options.versionId ?? '10')!,
    preset: 'public_chat',
    isPublic: true,
    invite: [],
    initialState: [],
    isDirect: false,
  });
  await sendLocalEvent(server.deps, roomId, {
    type: 'm.room.member',
    stateKey: bob,
    sender: bob,
    content: { membership: 'join' },
  });
  return { roomId, alice, bob };
}

/** Sends a message as `sender` and returns its event id. */
export async function sendMessage(
  server: FederationTestServer,
  roomId: string,
  sender: string,
  body: string,
): Promise<string> {
  const event = await sendLocalEvent(server.deps, roomId, {
    type: 'm.room.message',
    sender,
    content: { msgtype: 'm.text', body },
  });
  return event.eventId;
}

/** Sends a state event as `sender` and returns its event id. */
export async function sendState(
  server: FederationTestServer,
  roomId: string,
  sender: string,
  type: string,
  stateKey: string,
  content: JsonObject,
): Promise<string> {
  const event = await sendLocalEvent(server.deps, roomId, { type, stateKey, sender, content });
  return event.eventId;
}

export const enc = encodeURIComponent;
