// PUT /_matrix/client/v3/directory/room/{roomAlias}
// https://spec.matrix.org/latest/client-server-api/#put_matrixclientv3directoryroomroomalias
import { type SetRoomAliasBody, setRoomAliasBody } from '../../../schemas/requests/directory.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { addRoomAlias } from '../../rooms/room-aliases.ts';
import { roomDepsOf } from '../../rooms/room-deps.ts';

export const putRoomAlias = defineEndpoint<
  Context,
  SetRoomAliasBody,
  unknown,
  { roomAlias: string }
>({
  method: 'PUT',
  path: '/_matrix/client/v3/directory/room/:roomAlias',
  schema: { body: setRoomAliasBody },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    await addRoomAlias(roomDepsOf(ctx), user, {
      alias: request.params.roomAlias,
      roomId: request.body.room_id,
    });
    return {};
  },
});
