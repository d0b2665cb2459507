// Threads cannot start from an event that itself relates to another: the spec asks servers to
// refuse such a client event with 400 M_UNKNOWN.
// https://spec.matrix.org/latest/client-server-api/#validation-of-mthread-relationships
import type { Kysely } from 'kysely';
import { MatrixError } from '../http/matrix-error.ts';
import { getEvent } from '../storage/events.ts';
import type { Database } from '../storage/schema.ts';
import { relationOf } from './event-relation.ts';

export async function checkThreadRoot(
  db: Kysely<Database>,
  roomId: string,
  content: unknown,
): Promise<void> {
  const relation = relationOf(content);
  if (relation?.relType !== 'm.thread') return;
  const root = await getEvent(db, relation.eventId);
  if (root && root.roomId === roomId && relationOf(root.pdu.content) !== undefined) {
    throw new MatrixError(400, 'M_UNKNOWN', 'A thread cannot start from an event with a relation');
  }
}
