// Forgetting a room the user has left: it disappears from their /sync until they join, are
// invited or knock again (see storage/room-forgotten.ts for how that ends it).
// https://spec.matrix.org/latest/client-server-api/#leaving-rooms
import type { Kysely } from 'kysely';
import { MatrixError, notFound } from '../http/matrix-error.ts';
import { markRoomForgotten } from '../storage/room-forgotten.ts';
import { getCurrentMember } from '../storage/room-members.ts';
import type { Database } from '../storage/schema.ts';

export async function forgetRoom(
  db: Kysely<Database>,
  request: { userId: string; roomId: string; now: number },
): Promise<void> {
  const member = await getCurrentMember(db, request.roomId, request.userId);
  if (!member) throw notFound(`You have no membership in room ${request.roomId}`);
  if (member.membership !== 'leave' && member.membership !== 'ban') {
    // The spec's example: 400 M_UNKNOWN "User ... is in room ...".
    throw new MatrixError(
      400,
      'M_UNKNOWN',
      `User ${request.userId} is in room ${request.roomId} (${member.membership}); leave it first`,
    );
  }
  await markRoomForgotten(db, { ...request, memberEventId: member.eventId });
}
