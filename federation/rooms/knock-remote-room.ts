// The client API's knock on a room this server is not in: make_knock for a template from a server
// that is, our signature, send_knock, whose answer is the room's stripped state. The knock is then
// kept here as a remote invite is (store-remote-invite.ts): the room's only event on our side,
// with that stripped state, so /sync shows the room under `knock` with its knock_state. A leave
// retracts it through a server of the room (leave-remote-room.ts, servers from knockResidents),
// and an invite or a join follows as for any room we are not in.
// https://spec.matrix.org/latest/server-server-api/#knocking-upon-a-room
import type { Context } from '../../server/context.ts';
import { isJsonObject, type JsonObject } from '../../server/core/pdu.ts';
import { forbidden, MatrixError } from '../../server/http/matrix-error.ts';
import { KeyedMutex } from '../../server/rooms/keyed-mutex.ts';
import { memberProfile } from '../../server/rooms/member-profile.ts';
import { knockOnRoom } from '../../server/rooms/membership-actions.ts';
import { eventSignerOf, roomDepsOf } from '../../server/rooms/room-deps.ts';
import type { StoredEvent } from '../../server/storage/events.ts';
import { isServerInRoom, serverNameOfUser } from '../../server/storage/room-servers.ts';
import { FederationHttpError } from '../transport/federation-client.ts';
import { fetchMembershipTemplate, signMembershipTemplate } from './sign-membership-template.ts';
import { storeRemoteInvite } from './store-remote-invite.ts';

export interface AnywhereKnock {
  readonly roomId: string;
  readonly userId: string;
  readonly reason?: string | undefined;
  /** Servers to knock through, in order (via, then the alias's); the room id's own is added. */
  readonly servers: readonly string[];
}

const enc = encodeURIComponent;

export async function knockOnRoomAnywhere(ctx: Context, request: AnywhereKnock): Promise<void> {
  const { roomId, userId, reason } = request;
  if (await isServerInRoom(ctx.db, roomId, ctx.config.serverName)) {
    await knockOnRoom(roomDepsOf(ctx), { roomId, sender: userId, reason });
    return;
  }
  const servers = [...new Set([...request.servers, ...roomIdServer(roomId)])].filter(
    (name) => name !== ctx.config.serverName,
  );
  if (servers.length === 0) {
    throw new MatrixError(404, 'M_NOT_FOUND', `No server to knock on ${roomId} through`);
  }
  const content: JsonObject = {
    ...(await memberProfile(ctx.db, ctx.config.serverName, userId)),
    ...(reason === undefined ? {} : { reason }),
  };
  let lastError: unknown;
  for (const server of servers) {
    try {
      await knockThrough(ctx, server, roomId, userId, content);
      return;
    } catch (err) {
      lastError = err;
      ctx.logger.info({ err, server, roomId }, 'remote knock attempt failed');
      // The room refuses this knock (join rule, ban, membership): no other server will differ.
      if (err instanceof FederationHttpError && err.status === 403) break;
    }
  }
  if (lastError instanceof FederationHttpError) {
    if (lastError.status === 403)
      throw forbidden(`The room refused the knock: ${describe(lastError)}`);
    if (lastError.errcode === 'M_INCOMPATIBLE_ROOM_VERSION') {
      throw new MatrixError(400, 'M_INCOMPATIBLE_ROOM_VERSION', describe(lastError));
    }
  }
  if (lastError instanceof MatrixError) throw lastError;
  throw new MatrixError(
    404,
    'M_NOT_FOUND',
    `Could not knock on ${roomId} through ${servers.join(', ')}: ${describe(lastError)}`,
  );
}

async function knockThrough(
  ctx: Context,
  server: string,
  roomId: string,
  userId: string,
  content: JsonObject,
): Promise<void> {
  const client = ctx.federation.client;
  const { version, template } = await fetchMembershipTemplate(
    client,
    server,
    'make_knock',
    roomId,
    userId,
  );
  const knock = signMembershipTemplate(
    version,
    template,
    { roomId, userId, membership: 'knock', content, now: ctx.now() },
    eventSignerOf(ctx),
  );
  const { pdu } = knock;
  // The room's lock is held from send_knock until the knock is stored: the room may let the
  // knocker in at once (an invite, from a bot say) and that invite can reach us before the reply
  // is read. Stored first, it would end up under the knock and the user never see it; the
  // invite handler takes this lock (store-remote-invite.ts), so it now lands on top. The knock
  // is stored with a private mutex, as this lock is already ours.
  await ctx.roomLocks.run(roomId, async () => {
    const sent = await client.request(server, {
      method: 'PUT',
      path: `/_matrix/federation/v1/send_knock/${enc(roomId)}/${enc(knock.eventId)}`,
      body: pdu,
    });
    const reply = isJsonObject(sent.body) ? sent.body : {};
    const stripped = Array.isArray(reply.knock_room_state)
      ? reply.knock_room_state.filter(isJsonObject).filter((each) => !isMemberOf(each, userId))
      : [];
    await storeRemoteInvite({ ...ctx, roomLocks: new KeyedMutex() }, version, knock, stripped);
  });
}

/**
 * Servers to retract a knock through: those of the users who sent the room's stripped state (the
 * creator, whoever set the join rules: servers that were in the room), then the room id's own.
 */
export async function knockResidents(ctx: Context, knock: StoredEvent): Promise<string[]> {
  const roomId = String(knock.pdu.room_id);
  const row = await ctx.db
    .selectFrom('remote_invite_state')
    .select('stripped_json')
    .where('event_id', '=', knock.eventId)
    .executeTakeFirst();
  const stripped: unknown = row ? JSON.parse(row.stripped_json) : [];
  const senders = Array.isArray(stripped)
    ? stripped
        .filter(isJsonObject)
        .map((each) => each.sender)
        .filter((sender): sender is string => typeof sender === 'string' && sender.includes(':'))
    : [];
  return [...new Set([...senders.map(serverNameOfUser), ...roomIdServer(roomId)])].filter(
    (name) => name !== ctx.config.serverName,
  );
}

/** The server in a room id (versions before 12 have one). */
function roomIdServer(roomId: string): string[] {
  const colon = roomId.indexOf(':');
  return colon > 0 ? [roomId.slice(colon + 1)] : [];
}

/** The knocker's own member event, which /sync appends in full after the stripped state. */
function isMemberOf(event: JsonObject, userId: string): boolean {
  return event.type === 'm.room.member' && event.state_key === userId;
}

function describe(err: unknown): string {
  if (err instanceof FederationHttpError) {
    const body = isJsonObject(err.body) ? err.body : {};
    return `${err.status} ${String(body.errcode ?? '')} ${String(body.error ?? '')}`.trim();
  }
  return err instanceof Error ? err.message : String(err);
}
