// For tests of joining, knocking and leaving over federation: a resident server played by the
// test (host.test, with a made-up signing key), the events it signs, a key store that knows its
// key and ours, our federation app with a stand-in client for our requests to it, and its
// requests to us.

import type { FastifyInstance } from 'fastify';
import { TEST_SERVER_NAME } from '../../conformance-tests/support/databases.ts';
import { remoteSigningKey } from '../../conformance-tests/support/federation-request.ts';
import { buildFederationApp } from '../../server/app.ts';
import type { Context } from '../../server/context.ts';
import { withEventId } from '../../server/core/event-id.ts';
import type { EventWithId, JsonObject, Pdu } from '../../server/core/pdu.ts';
import { getRoomVersion } from '../../server/core/room-versions.ts';
import { hashAndSignEvent } from '../../server/core/sign-event.ts';
import type { ServerKeyStore } from '../keys/remote-keys.ts';
import type { FederationClient } from '../transport/federation-client.ts';
import { authorizationHeader } from '../transport/x-matrix.ts';

export const HOST = 'host.test';
export const OWNER = `@owner:${HOST}`;
export const BOB = `@bob:${TEST_SERVER_NAME}`;
export const hostVersion = getRoomVersion('10')!;
export const hostKey = remoteSigningKey(HOST);
const hostSigner = { serverName: HOST, keyId: hostKey.keyId, key: hostKey.privateKey };

/** An event of `roomId` signed by host.test, sent by its owner unless `fields` say otherwise. */
export function hostEvent(
  roomId: string,
  fields: Partial<Pdu> & { type: string; content: JsonObject },
): EventWithId {
  return withEventId(
    hostVersion,
    hashAndSignEvent(
      hostVersion,
      {
        room_id: roomId,
        sender: OWNER,
        origin_server_ts: 1000,
        depth: 1,
        prev_events: [],
        auth_events: [],
        hashes: {},
        signatures: {},
        ...fields,
      },
      hostSigner,
    ),
  );
}

/** Our key store for the test: host.test's made-up key, and our own. */
export function keysFor(ctx: Context): ServerKeyStore {
  return {
    getVerifyKey: async (serverName, keyId) => {
      const key = serverName === TEST_SERVER_NAME ? ctx.signingKey : remoteSigningKey(serverName);
      return keyId === key.keyId ? key.publicKeyBase64 : undefined;
    },
    getKeyResponses: async () => [],
  };
}

/** A federation app over `ctx`, its key store knowing host.test's key (and the request client's). */
export async function federationAppFor(
  base: Context,
  client?: FederationClient,
): Promise<{ ctx: Context; app: FastifyInstance }> {
  const serverKeys = keysFor(base);
  const federation = { ...base.federation, serverKeys, ...(client ? { client } : {}) };
  const ctx: Context = { ...base, federation };
  const app = buildFederationApp(ctx, undefined, serverKeys);
  await app.ready();
  return { ctx, app };
}

/** A PUT to our federation app, signed as `origin` (host.test unless said). */
export async function putAs(
  app: FastifyInstance,
  url: string,
  body: JsonObject,
  origin = HOST,
): Promise<{ status: number; body: unknown }> {
  const authorization = authorizationHeader(
    { method: 'PUT', uri: url, origin, destination: TEST_SERVER_NAME, content: body },
    origin === HOST ? hostKey : remoteSigningKey(origin),
  );
  const response = await app.inject({
    method: 'PUT',
    url,
    headers: { authorization },
    payload: body,
  });
  return { status: response.statusCode, body: response.json() };
}

/** The make_join/make_knock/make_leave answer: bob's member event template. */
export function memberTemplateReply(
  roomId: string,
  membership: string,
  cites: { prev: string[]; auth: string[] },
): { status: number; headers: Record<string, string>; body: JsonObject } {
  const event = {
    type: 'm.room.member',
    state_key: BOB,
    sender: BOB,
    room_id: roomId,
    content: { membership },
    depth: 5,
    prev_events: cites.prev,
    auth_events: cites.auth,
    origin_server_ts: 2000,
  };
  return { status: 200, headers: {}, body: { room_version: hostVersion.id, event } };
}

/**
 * Lets `sending` (the host's request to us, sent before its reply) run for up to a second: with
 * the room's lock held by the caller it waits, and would never finish if waited for in full.
 */
export async function letRun(sending: Promise<unknown>): Promise<void> {
  let settled = false;
  void sending.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  for (let waited = 0; !settled && waited < 1000; waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** host.test invites bob to `roomId` through our /v2/invite; the answer's status. */
export async function deliverInvite(app: FastifyInstance, invite: EventWithId): Promise<number> {
  const roomId = String(invite.pdu.room_id);
  const url = `/_matrix/federation/v2/invite/${encodeURIComponent(roomId)}/${encodeURIComponent(invite.eventId)}`;
  const body = { room_version: hostVersion.id, event: invite.pdu, invite_room_state: [] };
  return (await putAs(app, url, body)).status;
}

/** The host's room as a knocker or invitee sees it: its create event and, to knock, a knock rule. */
export function hostRoomStart(roomId: string): { create: EventWithId; joinRule: EventWithId } {
  const create = hostEvent(roomId, {
    type: 'm.room.create',
    state_key: '',
    content: { creator: OWNER, room_version: hostVersion.id },
  });
  const joinRule = hostEvent(roomId, {
    type: 'm.room.join_rules',
    state_key: '',
    content: { join_rule: 'knock' },
    depth: 4,
    prev_events: [create.eventId],
    auth_events: [create.eventId],
  });
  return { create, joinRule };
}
