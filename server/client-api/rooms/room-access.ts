// Who may read a room through the client API. Until history visibility is implemented, only
// current members see anything; everyone else gets the same 403 whether or not the room exists,
// so a room's existence does not leak.

import type { Context } from '../../context.ts';
import { forbidden } from '../../http/matrix-error.ts';
import { getMembership } from '../../storage/events.ts';

export async function requireJoined(ctx: Context, roomId: string, userId: string): Promise<void> {
  if ((await getMembership(ctx.db, roomId, userId)) !== 'join') {
    throw forbidden(`You are not a member of room ${roomId}`);
  }
}
