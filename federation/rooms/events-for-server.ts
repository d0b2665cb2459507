// The PDUs a requesting server is handed for some events of a room (/event, /backfill,
// /get_missing_events): each as stored when the server may see it (server-access.ts), and in its
// room version's redacted form otherwise, as Synapse does. A redacted copy keeps the hashes,
// signatures and DAG edges, so the server can still check it and link the DAG through it; only
// the content it may not read is gone. Events redacted in the room are served redacted to anyone.
import type { Kysely } from 'kysely';
import { isJsonObject, type Pdu } from '../../server/core/pdu.ts';
import { redactEvent } from '../../server/core/redaction.ts';
import type { RoomVersion } from '../../server/core/room-versions.ts';
import { stateKey } from '../../server/core/state-map.ts';
import { historyVisibilityOf } from '../../server/rooms/history-visibility.ts';
import { getEvents, type StoredEvent } from '../../server/storage/events.ts';
import { getEventStateGroups } from '../../server/storage/room-timeline.ts';
import type { Database } from '../../server/storage/schema.ts';
import { memberIdsOfServer } from '../../server/storage/server-members.ts';
import { readStateEntries } from '../../server/storage/state-entries.ts';
import { type EventFacts, mayServerSeeEvent } from './server-access.ts';

const VISIBILITY_KEY = stateKey('m.room.history_visibility', '');
/** Member keys per state query: a big server can have thousands of users in a room. */
const KEYS_PER_QUERY = 200;

/** The PDUs to serve `serverName`, in the order of `events` (all of room `roomId`). */
export async function pdusForServer(
  db: Kysely<Database>,
  version: RoomVersion,
  roomId: string,
  serverName: string,
  events: readonly StoredEvent[],
): Promise<Pdu[]> {
  const visible = await visibleToServer(db, roomId, serverName, events);
  return events.map((event) =>
    visible.has(event.eventId) ? servedPdu(version, event) : redactEvent(version, event.pdu),
  );
}

/** The PDU as stored, or its redacted form once a redaction of it was applied here. */
export function servedPdu(version: RoomVersion, event: StoredEvent): Pdu {
  return event.redactedBy === null ? event.pdu : redactEvent(version, event.pdu);
}

async function visibleToServer(
  db: Kysely<Database>,
  roomId: string,
  serverName: string,
  events: readonly StoredEvent[],
): Promise<Set<string>> {
  const groups = await getEventStateGroups(
    db,
    events.map((event) => event.eventId),
  );
  const beforeOf = (event: StoredEvent) => groups.get(event.eventId)?.before ?? null;
  const withState = events.filter((event) => beforeOf(event) !== null);
  const visibilityIds = await readStateEntries(
    db,
    withState.map((event) => beforeOf(event)!),
    [['m.room.history_visibility', '']],
  );
  const visibilityEvents = await getEvents(
    db,
    [...visibilityIds.values()].flatMap((entries) => [...entries.values()]),
  );
  const visibilityAt = (group: number) =>
    historyVisibilityOf(
      visibilityEvents.get(visibilityIds.get(group)?.get(VISIBILITY_KEY) ?? '')?.pdu.content,
    );

  const visible = new Set<string>();
  const undecided: StoredEvent[] = [];
  for (const event of events) {
    const group = beforeOf(event);
    // Without state here (an outlier, the create event) there is nothing to restrict it by:
    // treated as `shared`, as Synapse does.
    const allowed =
      group === null ||
      mayServerSeeEvent(factsOf(event), {
        serverName,
        visibilityBefore: visibilityAt(group),
        membershipsBefore: [],
      });
    if (allowed) visible.add(event.eventId);
    else undecided.push(event);
  }
  if (undecided.length === 0) return visible;

  // Restricted history: the memberships of the server's users at each remaining event.
  const undecidedGroups = undecided.map((event) => beforeOf(event)!);
  const memberships = new Map<number, string[]>();
  const userIds = await memberIdsOfServer(db, roomId, serverName);
  for (let start = 0; start < userIds.length; start += KEYS_PER_QUERY) {
    const keys = userIds
      .slice(start, start + KEYS_PER_QUERY)
      .map((userId) => ['m.room.member', userId] as const);
    const entries = await readStateEntries(db, undecidedGroups, keys);
    const memberEvents = await getEvents(
      db,
      [...entries.values()].flatMap((byKey) => [...byKey.values()]),
    );
    for (const [group, byKey] of entries) {
      for (const memberId of byKey.values()) {
        const membership = memberEvents.get(memberId)?.pdu.content?.membership;
        if (typeof membership !== 'string') continue;
        memberships.set(group, [...(memberships.get(group) ?? []), membership]);
      }
    }
  }
  for (const event of undecided) {
    const group = beforeOf(event)!;
    const allowed = mayServerSeeEvent(factsOf(event), {
      serverName,
      visibilityBefore: visibilityAt(group),
      membershipsBefore: memberships.get(group) ?? [],
    });
    if (allowed) visible.add(event.eventId);
  }
  return visible;
}

function factsOf(event: StoredEvent): EventFacts {
  const { pdu } = event;
  return {
    type: pdu.type,
    stateKey: typeof pdu.state_key === 'string' ? pdu.state_key : undefined,
    // Remote events are raw JSON: a content that is not an object counts as empty.
    content: isJsonObject(pdu.content) ? pdu.content : {},
  };
}
