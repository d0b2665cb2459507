// Rewrites a room's current_state rows to a resolved state, inside the persist transaction: an
// event on one of several forks makes the room's state the resolution of every fork's, which can
// change entries the event itself never touched. Only differing rows are written; each changed
// row takes the new event's stream position so /sync sees the change.
import type { Transaction } from 'kysely';
import { type ReadonlyStateMap, splitStateKey, stateKey } from '../core/state-map.ts';
import type { Database } from '../storage/schema.ts';
import { diffState } from '../storage/state-groups.ts';

export async function replaceCurrentState(
  trx: Transaction<Database>,
  roomId: string,
  next: ReadonlyStateMap,
  streamOrdering: number,
): Promise<void> {
  const rows = await trx
    .selectFrom('current_state')
    .select(['type', 'state_key', 'event_id'])
    .where('room_id', '=', roomId)
    .execute();
  const current = new Map(rows.map((row) => [stateKey(row.type, row.state_key), row.event_id]));
  const changes = diffState(current, next);
  if (changes.length === 0) return;

  const added = changes.flatMap(([, id]) => (id === null ? [] : [id]));
  const memberships = new Map<string, string | null>();
  if (added.length > 0) {
    const events = await trx
      .selectFrom('events')
      .select(['event_id', 'json'])
      .where('event_id', 'in', added)
      .execute();
    for (const event of events) {
      const content = (JSON.parse(event.json) as { content?: { membership?: unknown } }).content;
      memberships.set(
        event.event_id,
        typeof content?.membership === 'string' ? content.membership : null,
      );
    }
  }
  for (const [key, eventId] of changes) {
    const [type, key2] = splitStateKey(key);
    if (eventId === null) {
      await trx
        .deleteFrom('current_state')
        .where('room_id', '=', roomId)
        .where('type', '=', type)
        .where('state_key', '=', key2)
        .execute();
      continue;
    }
    const membership = type === 'm.room.member' ? (memberships.get(eventId) ?? null) : null;
    await trx
      .insertInto('current_state')
      .values({
        room_id: roomId,
        type,
        state_key: key2,
        event_id: eventId,
        membership,
        stream_ordering: streamOrdering,
      })
      .onConflict((oc) =>
        oc
          .columns(['room_id', 'type', 'state_key'])
          .doUpdateSet({ event_id: eventId, membership, stream_ordering: streamOrdering }),
      )
      .execute();
  }
}
