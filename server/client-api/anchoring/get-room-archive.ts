// GET /_cairn/v1/rooms/{roomId}/archive.car
// The room's events as a CAR file of IPLD blocks linked by prev_events (server/anchoring/
// room-archive.ts): what `cairn export-room` saves and `cairn verify-room` checks against the
// anchors. Public rooms to anyone; others to members and admins.
import { Readable } from 'node:stream';
import { roomArchiveCar } from '../../anchoring/room-archive.ts';
import { requireRoomHistoryAccess } from '../../anchoring/room-history-access.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { notFound } from '../../http/matrix-error.ts';
import { getRoomVersionOf } from '../../storage/events.ts';

interface Params {
  roomId: string;
}

export const getRoomArchive = defineEndpoint<Context, unknown, unknown, Params>({
  method: 'GET',
  path: '/_cairn/v1/rooms/:roomId/archive.car',
  handler: async (ctx, request, reply) => {
    const { roomId } = request.params;
    await requireRoomHistoryAccess(ctx, request, roomId);
    if ((await getRoomVersionOf(ctx.db, roomId)) === undefined) throw notFound('No such room here');
    return reply
      .header('content-type', 'application/vnd.ipld.car; version=1')
      .send(Readable.from(roomArchiveCar(ctx.db, roomId)));
  },
});
