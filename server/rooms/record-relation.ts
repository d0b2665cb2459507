// Persist step: index the event's `m.relates_to`, in the transaction that stores the event, so
// /relations, /threads and bundled aggregations see it as soon as the event exists.
import type { Kysely } from 'kysely';
import type { EventWithId } from '../core/pdu.ts';
import type { Database } from '../storage/schema.ts';
import { relationOf } from './event-relation.ts';

export async function recordRelation(
  trx: Kysely<Database>,
  roomId: string,
  event: EventWithId,
  streamOrdering: number,
): Promise<void> {
  const relation = relationOf(event.pdu.content);
  if (!relation) return;
  await trx
    .insertInto('event_relations')
    .values({
      event_id: event.eventId,
      room_id: roomId,
      relates_to_id: relation.eventId,
      rel_type: relation.relType,
      event_type: event.pdu.type,
      sender: event.pdu.sender,
      stream_ordering: streamOrdering,
    })
    .execute();
}
