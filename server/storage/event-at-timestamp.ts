// The event of a room closest to a point in time, in one direction: the first at or after it
// (`f`) or the last at or before it (`b`), by origin_server_ts; ties go to the event this server
// stored first (`f`) or last (`b`). Only events of the room's timeline count: no outliers, nothing
// rejected. For /timestamp_to_event.
// https://spec.matrix.org/latest/server-server-api/#get_matrixfederationv1timestamp_to_eventroomid
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface EventAtTimestamp {
  readonly eventId: string;
  readonly originServerTs: number;
}

export async function findEventAtTimestamp(
  db: Kysely<Database>,
  roomId: string,
  ts: number,
  dir: 'f' | 'b',
): Promise<EventAtTimestamp | undefined> {
  const order = dir === 'f' ? 'asc' : 'desc';
  const row = await db
    .selectFrom('events')
    .select(['event_id', 'origin_server_ts'])
    .where('room_id', '=', roomId)
    .where('outlier', '=', false)
    .where('rejected_reason', 'is', null)
    .where('origin_server_ts', dir === 'f' ? '>=' : '<=', ts)
    .orderBy('origin_server_ts', order)
    .orderBy('stream_ordering', order)
    .limit(1)
    .executeTakeFirst();
  return row && { eventId: row.event_id, originServerTs: row.origin_server_ts };
}
