// DELETE /_matrix/client/v3/room_keys/keys/{roomId}/{sessionId}?version=
// https://spec.matrix.org/latest/client-server-api/#delete_matrixclientv3room_keyskeysroomidsessionid
//
// A session not in the backup deletes nothing and still answers 200: only the version can be
// unknown (the spec's 404).
import {
  type BackupVersionQuery,
  backupVersionQuery,
  type SessionParams,
  sessionParams,
} from '../../../schemas/requests/room-keys.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { deleteKeys } from './room-keys-shared.ts';

export const deleteRoomKeyBySession = defineEndpoint<
  Context,
  unknown,
  BackupVersionQuery,
  SessionParams
>({
  method: 'DELETE',
  path: '/_matrix/client/v3/room_keys/keys/:roomId/:sessionId',
  schema: { querystring: backupVersionQuery, params: sessionParams },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const { roomId, sessionId } = request.params;
    return deleteKeys(ctx, user.userId, request.query.version, { roomId, sessionId });
  },
});
