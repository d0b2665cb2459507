// GET /_matrix/client/v3/rooms/{roomId}/joined_members
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3roomsroomidjoined_members
// Names and avatars come from each member's join event, as other members see them. That content
// is whatever the member's server sent, so only a string name and a URI-shaped avatar pass.
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { listJoinedMemberContents } from '../../storage/room-members.ts';
import { requireJoined } from '../rooms/room-access.ts';

interface RoomMember {
  display_name?: string;
  avatar_url?: string;
}

const URI = /^[a-z][a-z0-9+.-]*:/i;

export const getJoinedMembersByRoom = defineEndpoint<Context, unknown, unknown, { roomId: string }>(
  {
    method: 'GET',
    path: '/_matrix/client/v3/rooms/:roomId/joined_members',
    handler: async (ctx, request) => {
      const user = await requireUser(ctx, request);
      const { roomId } = request.params;
      await requireJoined(ctx, roomId, user.userId);
      const joined: Record<string, RoomMember> = {};
      for (const { userId, content } of await listJoinedMemberContents(ctx.db, roomId)) {
        const { displayname, avatar_url: avatar } = content;
        joined[userId] = {
          ...(typeof displayname === 'string' ? { display_name: displayname } : {}),
          ...(typeof avatar === 'string' && URI.test(avatar) ? { avatar_url: avatar } : {}),
        };
      }
      return { joined };
    },
  },
);
