// PUT /_matrix/client/v3/directory/list/room/{roomId}
// https://spec.matrix.org/latest/client-server-api/#put_matrixclientv3directorylistroomroomid
// Publishing is for members who may set the canonical alias, and server admins (the spec lets
// servers choose; see rooms/room-directory-rights.ts).
import {
  type RoomVisibilityBody,
  roomVisibilityBody,
} from '../../../schemas/requests/directory.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { forbidden, notFound } from '../../http/matrix-error.ts';
import { requireUser } from '../../http/require-user.ts';
import { mayManageRoomDirectory } from '../../rooms/room-directory-rights.ts';
import { isRoomPublished, setRoomPublished } from '../../storage/public-rooms.ts';

export const putRoomVisibility = defineEndpoint<
  Context,
  RoomVisibilityBody,
  unknown,
  { roomId: string }
>({
  method: 'PUT',
  path: '/_matrix/client/v3/directory/list/room/:roomId',
  schema: { body: roomVisibilityBody },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const { roomId } = request.params;
    if ((await isRoomPublished(ctx.db, roomId)) === undefined) throw notFound('Room not found');
    if (!(await mayManageRoomDirectory(ctx.db, roomId, user))) {
      throw forbidden('You may not change this room’s visibility in the directory');
    }
    // "Defaults to public."
    await setRoomPublished(ctx.db, roomId, (request.body.visibility ?? 'public') === 'public');
    return {};
  },
});
