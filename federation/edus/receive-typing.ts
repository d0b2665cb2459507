// Inbound m.typing: a user of the sending server started or stopped typing in a room. Shown to
// local users as the client API's typing does, until the sender says they stopped or
// FEDERATION_TYPING_TIMEOUT_MS passes without it saying again (it repeats while they type).
// https://spec.matrix.org/latest/server-server-api/#typing-notifications
import type { Context } from '../../server/context.ts';
import type { JsonObject } from '../../server/core/pdu.ts';
import { isUserOf, mayActInRoom } from './edu-sender.ts';

export const FEDERATION_TYPING_TIMEOUT_MS = 60_000;

export async function receiveTyping(
  ctx: Pick<Context, 'db' | 'typing'>,
  origin: string,
  content: JsonObject,
): Promise<void> {
  const { room_id: roomId, user_id: userId, typing } = content;
  if (typeof roomId !== 'string' || typeof typing !== 'boolean') return;
  if (!isUserOf(userId, origin)) return;
  if (!(await mayActInRoom(ctx, origin, roomId, userId))) return;
  ctx.typing.setTyping(roomId, userId, typing ? FEDERATION_TYPING_TIMEOUT_MS : undefined);
}
