// PUT /_matrix/federation/v2/send_join/{roomId}/{eventId}
// PUT /_matrix/federation/v2/send_leave/{roomId}/{eventId}
// PUT /_matrix/federation/v1/send_knock/{roomId}/{eventId}
// https://spec.matrix.org/latest/server-server-api/#put_matrixfederationv2send_joinroomideventid
// https://spec.matrix.org/latest/server-server-api/#put_matrixfederationv2send_leaveroomideventid
// https://spec.matrix.org/latest/server-server-api/#put_matrixfederationv1send_knockroomideventid
// send_join answers with the room's state before the join and its auth chain, so the joining
// server can take the room in; `omit_members` is allowed to be ignored, and is (members_omitted
// false: the full state, which every server accepts). send_knock answers with stripped state.
import { isJsonObject } from '../../server/core/pdu.ts';
import { defineEndpoint } from '../../server/http/endpoint.ts';
import { loadAuthChain } from '../../server/storage/auth-chain.ts';
import { getEvents } from '../../server/storage/events.ts';
import { joinedServersOf } from '../../server/storage/room-servers.ts';
import { readStateGroup } from '../../server/storage/state-groups.ts';
import { loadStrippedState } from '../../server/sync/stripped-state.ts';
import type { FederationContext } from '../federation-context.ts';
import { acceptMembershipPdu } from '../rooms/accept-membership-pdu.ts';
import { federationOriginOf } from '../transport/verify-request.ts';

interface Params {
  roomId: string;
  eventId: string;
}

export const sendJoin = defineEndpoint<FederationContext, unknown, unknown, Params>({
  method: 'PUT',
  path: '/_matrix/federation/v2/send_join/:roomId/:eventId',
  handler: async (ctx, request) => {
    const { roomId, eventId } = request.params;
    const { event, version } = await acceptMembershipPdu(ctx, {
      roomId,
      eventId,
      origin: federationOriginOf(request),
      membership: 'join',
      raw: request.body,
    });
    const row = await ctx.db
      .selectFrom('events')
      .select('state_before')
      .where('event_id', '=', eventId)
      .executeTakeFirst();
    const state =
      row?.state_before == null ? new Map() : await readStateGroup(ctx.db, row.state_before);
    const stateEvents = [...(await getEvents(ctx.db, [...state.values()])).values()];
    const authChain = await loadAuthChain(ctx.db, version, roomId, [
      ...stateEvents,
      { ...event, roomId } as never,
    ]);
    return {
      origin: ctx.config.serverName,
      event: event.pdu,
      state: stateEvents.map((each) => each.pdu),
      auth_chain: authChain.map((each) => each.pdu),
      members_omitted: false,
      servers_in_room: await joinedServersOf(ctx.db, roomId),
    };
  },
});

export const sendLeave = defineEndpoint<FederationContext, unknown, unknown, Params>({
  method: 'PUT',
  path: '/_matrix/federation/v2/send_leave/:roomId/:eventId',
  handler: async (ctx, request) => {
    await acceptMembershipPdu(ctx, {
      ...request.params,
      origin: federationOriginOf(request),
      membership: 'leave',
      raw: request.body,
    });
    return {};
  },
});

export const sendKnock = defineEndpoint<FederationContext, unknown, unknown, Params>({
  method: 'PUT',
  path: '/_matrix/federation/v1/send_knock/:roomId/:eventId',
  handler: async (ctx, request) => {
    const { event } = await acceptMembershipPdu(ctx, {
      ...request.params,
      origin: federationOriginOf(request),
      membership: 'knock',
      raw: request.body,
    });
    const stripped = await loadStrippedState(
      ctx.db,
      request.params.roomId,
      event.eventId,
      ctx.now(),
    );
    // The knock itself closes the list for a client; the remote server only needs the room's.
    return {
      knock_room_state: (stripped ?? []).filter(
        (each) =>
          (isJsonObject(each) && each.type !== 'm.room.member') ||
          each.state_key !== event.pdu.sender,
      ),
    };
  },
});
