// The fully-read marker: room account data `m.fully_read`, which only moves forward.
// https://spec.matrix.org/latest/client-server-api/#fully-read-markers
import type { Kysely } from 'kysely';
import { getAccountData, setAccountData } from '../storage/account-data.ts';
import { getEvent, type StoredEvent } from '../storage/events.ts';
import type { Database } from '../storage/schema.ts';

/** Returns whether the marker moved. */
export async function setFullyRead(
  db: Kysely<Database>,
  userId: string,
  event: StoredEvent,
): Promise<boolean> {
  const current = await getAccountData(db, userId, event.roomId, 'm.fully_read');
  const currentId = current?.event_id;
  const previous = typeof currentId === 'string' ? await getEvent(db, currentId) : undefined;
  if (
    previous &&
    previous.roomId === event.roomId &&
    previous.streamOrdering >= event.streamOrdering
  ) {
    return false;
  }
  await setAccountData(db, {
    userId,
    roomId: event.roomId,
    type: 'm.fully_read',
    content: { event_id: event.eventId },
  });
  return true;
}
