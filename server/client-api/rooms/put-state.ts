// PUT /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}
// https://spec.matrix.org/latest/client-server-api/#put_matrixclientv3roomsroomidstateeventtypestatekey
// The state key may be empty, with or without the trailing slash: two routes, one handler.
import { eventContentBody } from '../../../schemas/requests/create-room.ts';
import type { Context } from '../../context.ts';
import type { JsonObject } from '../../core/pdu.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { checkCanonicalAliasContent } from '../../rooms/check-canonical-alias.ts';
import { roomDepsOf } from '../../rooms/room-deps.ts';
import { sendLocalEvent } from '../../rooms/send-local-event.ts';
import { getMembership } from '../../storage/events.ts';
import { limitEventSend } from './send-rate-limit.ts';

interface Params {
  roomId: string;
  eventType: string;
  stateKey?: string;
}

function putStateAt(path: string) {
  return defineEndpoint<Context, JsonObject, unknown, Params>({
    method: 'PUT',
    path,
    schema: { body: eventContentBody },
    handler: async (ctx, request) => {
      const user = await requireUser(ctx, request);
      const { roomId, eventType, stateKey = '' } = request.params;
      await limitEventSend(ctx, user, request.ip);
      if (eventType === 'm.room.canonical_alias') {
        await checkCanonicalAliasContent(ctx.db, ctx.config.serverName, roomId, request.body);
      }
      const content =
        eventType === 'm.room.member'
          ? await withoutIdleAuthoriser(ctx, roomId, stateKey, request.body)
          : request.body;
      const event = await sendLocalEvent(
        roomDepsOf(ctx),
        roomId,
        { type: eventType, stateKey, sender: user.userId, content },
        { reuseIdenticalState: true },
      );
      return { event_id: event.eventId };
    },
  });
}

/**
 * `join_authorised_via_users_server` names who let a user into a restricted room, and counts only
 * on a join into it; on a join -> join change (a new display name) it is dropped, as Synapse does,
 * rather than left for the auth rules to refuse the event for a signature it cannot need.
 */
async function withoutIdleAuthoriser(
  ctx: Context,
  roomId: string,
  userId: string,
  content: JsonObject,
): Promise<JsonObject> {
  if (content.membership !== 'join' || !Object.hasOwn(content, AUTHORISER)) return content;
  if ((await getMembership(ctx.db, roomId, userId)) !== 'join') return content;
  const { [AUTHORISER]: _unused, ...rest } = content;
  return rest;
}

const AUTHORISER = 'join_authorised_via_users_server';

export const putStateEndpoints = [
  putStateAt('/_matrix/client/v3/rooms/:roomId/state/:eventType'),
  putStateAt('/_matrix/client/v3/rooms/:roomId/state/:eventType/:stateKey'),
];
