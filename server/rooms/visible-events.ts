// The per-event half of history visibility: which of some events of one room a reader may see.
// For each event, the history visibility and the reader's membership are read from the state
// before it (one query for all the events' state groups), then the spec's rules decide.
import type { Kysely } from 'kysely';
import { isJsonObject, type JsonObject } from '../core/pdu.ts';
import { stateKey } from '../core/state-map.ts';
import { getEvents, type StoredEvent } from '../storage/events.ts';
import { stateGroupsOfEvents } from '../storage/room-timeline.ts';
import type { Database } from '../storage/schema.ts';
import { readStateEntries } from '../storage/state-entries.ts';
import { historyVisibilityOf, mayUserSeeEvent } from './history-visibility.ts';
import { type RoomReader, readLimitOf } from './room-reader.ts';

const VISIBILITY_KEY = stateKey('m.room.history_visibility', '');

/** The events the reader may see, in the order given. */
export async function filterVisibleEvents(
  db: Kysely<Database>,
  reader: RoomReader,
  events: readonly StoredEvent[],
): Promise<StoredEvent[]> {
  const limit = readLimitOf(reader);
  const candidates = events.filter(
    (event) =>
      event.roomId === reader.roomId &&
      !event.outlier &&
      event.rejectedReason === null &&
      (limit === undefined || event.streamOrdering <= limit),
  );
  if (candidates.length === 0) return [];
  const groups = await stateGroupsOfEvents(db, candidates);
  const memberKey = stateKey('m.room.member', reader.userId);
  const entries = await readStateEntries(
    db,
    [...groups.values()].flatMap((g) => (g.before === null ? [] : [g.before])),
    [
      ['m.room.history_visibility', ''],
      ['m.room.member', reader.userId],
    ],
  );
  const stateEventIds = [...entries.values()].flatMap((entry) => [...entry.values()]);
  const stateEvents = await getEvents(db, stateEventIds);
  const contentOf = (eventId: string | undefined): JsonObject | undefined =>
    eventId === undefined ? undefined : stateEvents.get(eventId)?.pdu.content;

  return candidates.filter((event) => {
    const before = groups.get(event.eventId)?.before;
    const state = before === null || before === undefined ? undefined : entries.get(before);
    const membership = contentOf(state?.get(memberKey))?.membership;
    const { pdu } = event;
    return mayUserSeeEvent(
      {
        type: pdu.type,
        stateKey: typeof pdu.state_key === 'string' ? pdu.state_key : undefined,
        // Remote events are raw JSON: a content that is not an object counts as empty.
        content: isJsonObject(pdu.content) ? pdu.content : {},
      },
      {
        userId: reader.userId,
        visibilityBefore: historyVisibilityOf(contentOf(state?.get(VISIBILITY_KEY))),
        membershipBefore: typeof membership === 'string' ? membership : undefined,
        joinedAfter: reader.latestJoin !== undefined && reader.latestJoin > event.streamOrdering,
      },
    );
  });
}

export async function isEventVisible(
  db: Kysely<Database>,
  reader: RoomReader,
  event: StoredEvent,
): Promise<boolean> {
  return (await filterVisibleEvents(db, reader, [event])).length === 1;
}
