// DELETE /_matrix/client/v3/directory/room/{roomAlias}
// https://spec.matrix.org/latest/client-server-api/#delete_matrixclientv3directoryroomroomalias
// Allowed to the alias's creator, to room members who may set the canonical alias, and to
// server admins; the alias also leaves the room's m.room.canonical_alias when the user may
// update it.
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { removeRoomAlias } from '../../rooms/room-aliases.ts';
import { roomDepsOf } from '../../rooms/room-deps.ts';

export const deleteRoomAlias = defineEndpoint<Context, unknown, unknown, { roomAlias: string }>({
  method: 'DELETE',
  path: '/_matrix/client/v3/directory/room/:roomAlias',
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    await removeRoomAlias(roomDepsOf(ctx), user, request.params.roomAlias);
    return {};
  },
});
