// Who may read what of a room through the client API, by history visibility
// (server/rooms/room-reader.ts and visible-events.ts). Room endpoints answer 403 to a user who
// may not read the room, whether or not it exists, so a room's existence does not leak; event
// endpoints answer 404 for an event the user may not see, as for one that does not exist.
import type { Context } from '../../context.ts';
import { forbidden, notFound } from '../../http/matrix-error.ts';
import { loadRoomReader, type RoomReader } from '../../rooms/room-reader.ts';
import { isEventVisible } from '../../rooms/visible-events.ts';
import { getEvent, getMembership, type StoredEvent } from '../../storage/events.ts';

export async function requireRoomReader(
  ctx: Context,
  roomId: string,
  userId: string,
): Promise<RoomReader> {
  const reader = await loadRoomReader(ctx.db, roomId, userId);
  if (!reader) throw forbidden(`You may not read room ${roomId}`);
  return reader;
}

/** The event and the reader, or 404 when the event is unknown, elsewhere or out of sight. */
export async function requireVisibleEvent(
  ctx: Context,
  roomId: string,
  eventId: string,
  userId: string,
): Promise<{ reader: RoomReader; event: StoredEvent }> {
  const reader = await loadRoomReader(ctx.db, roomId, userId);
  const event = reader && (await getEvent(ctx.db, eventId));
  if (
    !reader ||
    !event ||
    event.roomId !== roomId ||
    !(await isEventVisible(ctx.db, reader, event))
  ) {
    throw notFound('Event not found');
  }
  return { reader, event };
}

/** For actions that need the user in the room now (receipts, typing). */
export async function requireJoined(ctx: Context, roomId: string, userId: string): Promise<void> {
  if ((await getMembership(ctx.db, roomId, userId)) !== 'join') {
    throw forbidden(`You are not a member of room ${roomId}`);
  }
}
