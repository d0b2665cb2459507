// A local user joins a room this server is not in, through a server that is: make_join for a
// template, our signature, send_join for the room's state and auth chain (the full state fetched
// with /state when the reply has `members_omitted`), which are checked and
// stored as outliers; the join is checked against that state and stored as the room's first
// timeline event here, with the room's current state set from it.
// https://spec.matrix.org/latest/server-server-api/#joining-rooms

import type { Context } from '../../server/context.ts';
import { checkEventAuth } from '../../server/core/auth-rules/check-event-auth.ts';
import { primaryCreator } from '../../server/core/auth-rules/room-creators.ts';
import { lookupFromEvents } from '../../server/core/auth-rules/state-lookup.ts';
import { computeEventId } from '../../server/core/event-id.ts';
import {
  type EventWithId,
  isJsonObject,
  type JsonObject,
  type Pdu,
} from '../../server/core/pdu.ts';
import type { RoomVersion } from '../../server/core/room-versions.ts';
import { type StateMap, stateKey } from '../../server/core/state-map.ts';
import { forbidden, MatrixError } from '../../server/http/matrix-error.ts';
import { persistAndAnnounce } from '../../server/rooms/persist-event.ts';
import { eventSignerOf, roomDepsOf } from '../../server/rooms/room-deps.ts';
import { getEvent } from '../../server/storage/events.ts';
import { FederationHttpError } from '../transport/federation-client.ts';
import { acceptOutliers } from './accept-outliers.ts';
import { fetchMembershipTemplate, signMembershipTemplate } from './sign-membership-template.ts';

export interface RemoteJoinRequest {
  readonly roomId: string;
  readonly userId: string;
  /** Servers to ask, in order; ours is skipped. */
  readonly servers: readonly string[];
  /** Extra content for the member event (display name, avatar, reason). */
  readonly content: JsonObject;
}

const enc = encodeURIComponent;
/** The state and auth chain of a large room: far more than an ordinary reply. */
const SEND_JOIN_MAX_BYTES = 512 * 1024 * 1024;

export async function joinRemoteRoom(ctx: Context, request: RemoteJoinRequest): Promise<void> {
  const servers = [...new Set(request.servers)].filter((name) => name !== ctx.config.serverName);
  if (servers.length === 0) {
    throw new MatrixError(404, 'M_NOT_FOUND', `No server to join ${request.roomId} through`);
  }
  let lastError: unknown;
  for (const server of servers) {
    try {
      await joinThrough(ctx, server, request);
      return;
    } catch (err) {
      lastError = err;
      ctx.logger.info({ err, server, roomId: request.roomId }, 'remote join attempt failed');
      // The room refuses this user: asking another server will not change that.
      if (err instanceof FederationHttpError && err.status === 403) break;
    }
  }
  if (lastError instanceof FederationHttpError && lastError.status === 403) {
    throw forbidden(`The room refused the join: ${describe(lastError)}`);
  }
  if (lastError instanceof MatrixError) throw lastError;
  throw new MatrixError(
    404,
    'M_NOT_FOUND',
    `Could not join ${request.roomId} through ${servers.join(', ')}: ${describe(lastError)}`,
  );
}

async function joinThrough(ctx: Context, server: string, request: RemoteJoinRequest) {
  const { roomId, userId } = request;
  const client = ctx.federation.client;
  const { version, template } = await fetchMembershipTemplate(
    client,
    server,
    'make_join',
    roomId,
    userId,
  );
  let join = signMembershipTemplate(
    version,
    template,
    { roomId, userId, membership: 'join', content: request.content, now: ctx.now() },
    eventSignerOf(ctx),
  );
  const { pdu } = join;

  // The room's lock is held from send_join until the join is stored: the server we join through
  // may send us the room's next events before we have read its reply (Synapse sends a dummy event
  // at once when the join leaves the room with many forward extremities). The transaction
  // handler waits on this lock, so those are taken once we are in the room, not ignored as
  // events of a room we are not in (send-transaction.ts).
  await ctx.roomLocks.run(roomId, async () => {
    const sent = await client.request(server, {
      method: 'PUT',
      path: `/_matrix/federation/v2/send_join/${enc(roomId)}/${enc(join.eventId)}`,
      body: pdu,
      maxResponseBytes: SEND_JOIN_MAX_BYTES,
      timeoutMs: 300_000,
    });
    const reply = isJsonObject(sent.body) ? sent.body : {};
    // A restricted join comes back countersigned by the authorising server: same event, more
    // signatures (the id does not cover signatures).
    if (isJsonObject(reply.event) && computeEventId(version, reply.event as Pdu) === join.eventId) {
      join = { eventId: join.eventId, pdu: reply.event as Pdu };
    }
    let stateRaw = Array.isArray(reply.state) ? reply.state : [];
    let chainRaw = Array.isArray(reply.auth_chain) ? reply.auth_chain : [];
    if (reply.members_omitted === true) {
      // We never ask for a partial state (omit_members), but a server may answer with one; the
      // full state before the join is then asked for, as /state at our join event serves it.
      const full = await client.request(server, {
        method: 'GET',
        path: `/_matrix/federation/v1/state/${enc(roomId)}?event_id=${enc(join.eventId)}`,
        maxResponseBytes: SEND_JOIN_MAX_BYTES,
        timeoutMs: 300_000,
      });
      const body = isJsonObject(full.body) ? full.body : {};
      stateRaw = Array.isArray(body.pdus) ? body.pdus : [];
      chainRaw = Array.isArray(body.auth_chain) ? body.auth_chain : [];
    }
    await takeInRoom(ctx, version, roomId, join, [...chainRaw, ...stateRaw], stateRaw);
  });
}

/** Under the room's lock (joinThrough holds it). */
async function takeInRoom(
  ctx: Context,
  version: RoomVersion,
  roomId: string,
  join: EventWithId,
  everything: unknown[],
  stateRaw: unknown[],
): Promise<void> {
  const deps = { ...roomDepsOf(ctx), serverKeys: ctx.federation.serverKeys };
  const create = everything.find(
    (raw) => isJsonObject(raw) && raw.type === 'm.room.create' && raw.state_key === '',
  ) as Pdu | undefined;
  if (!create) throw new MatrixError(502, 'M_UNKNOWN', 'send_join gave no m.room.create event');
  await ensureRoomRow(ctx, roomId, version, create);
  const { accepted } = await acceptOutliers(deps, version, roomId, everything);

  const state: StateMap = new Map();
  const stateIds = new Set<string>();
  for (const raw of stateRaw) {
    if (!isJsonObject(raw)) continue;
    try {
      stateIds.add(computeEventId(version, raw as Pdu));
    } catch {
      // Malformed: refused by acceptOutliers as well.
    }
  }
  for (const id of stateIds) {
    const event = accepted.get(id);
    if (event && typeof event.pdu.state_key === 'string') {
      state.set(stateKey(event.pdu.type, event.pdu.state_key), id);
    }
  }
  const verdict = checkEventAuth(
    version,
    join,
    lookupFromEvents([...state.values()].map((id) => accepted.get(id)!)),
  );
  if (!verdict.allowed)
    throw forbidden(`The join does not pass the room's state: ${verdict.reason}`);

  const after = new Map(state);
  after.set(stateKey('m.room.member', join.pdu.state_key as string), join.eventId);
  const existing = await getEvent(ctx.db, join.eventId);
  // The server we joined through has the join and passes it on: it is not sent again.
  ctx.federation.outbound.sentThroughHandshake(join.eventId);
  await persistAndAnnounce(deps, {
    roomId,
    event: join,
    stateBefore: { group: null, state },
    currentStateAfter: after,
    replacesExtremities: true,
    ...(existing?.outlier ? { replacesOutlier: true } : {}),
  });
}

async function ensureRoomRow(ctx: Context, roomId: string, version: RoomVersion, create: Pdu) {
  await ctx.db
    .insertInto('rooms')
    .values({
      room_id: roomId,
      room_version: version.id,
      creator: primaryCreator(version, create) ?? String(create.sender),
      created_ts: ctx.now(),
    })
    .onConflict((oc) => oc.column('room_id').doUpdateSet({ room_version: version.id }))
    .execute();
}

function describe(err: unknown): string {
  if (err instanceof FederationHttpError) {
    const body = isJsonObject(err.body) ? err.body : {};
    return `${err.status} ${String(body.errcode ?? '')} ${String(body.error ?? '')}`.trim();
  }
  return err instanceof Error ? err.message : String(err);
}
