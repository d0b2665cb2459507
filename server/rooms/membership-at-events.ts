// `unsigned.membership` (spec v1.11): the reader's membership at each event served to them, the
// `membership` of their m.room.member state at the point of the event, this event included, and
// `leave` before they ever had one.
// https://spec.matrix.org/latest/client-server-api/#definition-clientevent
//
// A reader joined now is joined at every event since their latest join (in stream order, which is
// the order this server accepted events), which needs no query: that covers a joined user's
// /sync and recent history. Older events read the reader's member entry in the state before each
// event (one query over all their state groups) and apply the event itself if it is that entry.
// Events with no state (outliers) get none: the spec lets a server leave it out when impractical.
import type { Kysely } from 'kysely';
import { stateKey } from '../core/state-map.ts';
import { getEvents, type StoredEvent } from '../storage/events.ts';
import { stateGroupsOfEvents } from '../storage/room-timeline.ts';
import type { Database } from '../storage/schema.ts';
import { readStateEntries } from '../storage/state-entries.ts';
import type { RoomReader } from './room-reader.ts';

/** Event id -> the reader's membership at it, for the events it can be told for. */
export async function membershipAtEvents(
  db: Kysely<Database>,
  reader: RoomReader,
  events: readonly StoredEvent[],
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const older: StoredEvent[] = [];
  const joinedSince = reader.membership === 'join' ? reader.latestJoin : undefined;
  for (const event of events) {
    if (joinedSince !== undefined && event.streamOrdering >= joinedSince) {
      found.set(event.eventId, 'join');
    } else if (!event.outlier) {
      older.push(event);
    }
  }
  if (older.length === 0) return found;

  const groups = await stateGroupsOfEvents(db, older);
  const memberKey = stateKey('m.room.member', reader.userId);
  const entries = await readStateEntries(
    db,
    [...groups.values()].flatMap((g) => (g.before === null ? [] : [g.before])),
    [['m.room.member', reader.userId]],
  );
  const memberIds = [...entries.values()].flatMap((entry) => entry.get(memberKey) ?? []);
  const memberEvents = await getEvents(db, memberIds);
  for (const event of older) {
    const group = groups.get(event.eventId);
    if (!group) continue;
    const own =
      event.pdu.type === 'm.room.member' && event.pdu.state_key === reader.userId
        ? event
        : undefined;
    const before = group.before === null ? undefined : entries.get(group.before)?.get(memberKey);
    const source = own ?? (before === undefined ? undefined : memberEvents.get(before));
    const membership = source?.pdu.content.membership;
    found.set(event.eventId, typeof membership === 'string' ? membership : 'leave');
  }
  return found;
}
