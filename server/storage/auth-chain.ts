// Auth chains read from storage: the events reachable from some events through auth_events, for
// the federation endpoints that hand them out (/state, /state_ids, /event_auth).
//
// The walk is one query per auth-DAG layer, with the edges parsed from the stored JSON here, not
// a recursive query in SQL: PostgreSQL's JSON functions refuse a document holding a `\u0000`
// escape anywhere, which event content may carry, and a failing chain query would fail the
// whole request. Layers are few next to the events they hold (a chain runs back through the power
// levels and each member's earlier membership), so the round trips stay bounded in practice.
import type { Kysely } from 'kysely';
import { authEventIds } from '../core/dag/auth-events.ts';
import type { EventWithId } from '../core/pdu.ts';
import type { RoomVersion } from '../core/room-versions.ts';
import { getEvents, type StoredEvent } from './events.ts';
import type { Database } from './schema.ts';

/** Ids per query: well under the bind parameter limit of both backends. */
const BATCH = 1000;

/**
 * The events of `roomId` with these ids and every event reachable from them through auth events,
 * in the order this server stored them. Unknown ids and events of other rooms are left out and not
 * walked through: a forged reference must not make another room's events leak.
 */
export async function loadAuthClosure(
  db: Kysely<Database>,
  version: RoomVersion,
  roomId: string,
  fromIds: Iterable<string>,
): Promise<StoredEvent[]> {
  const found = new Map<string, StoredEvent>();
  const seen = new Set<string>(fromIds);
  let frontier = [...seen];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (let start = 0; start < frontier.length; start += BATCH) {
      const events = await getEvents(db, frontier.slice(start, start + BATCH));
      for (const event of events.values()) {
        if (event.roomId !== roomId) continue;
        found.set(event.eventId, event);
        for (const authId of authEventIds(version, event.pdu)) {
          if (!seen.has(authId)) {
            seen.add(authId);
            next.push(authId);
          }
        }
      }
    }
    frontier = next;
  }
  return [...found.values()].sort((a, b) => a.streamOrdering - b.streamOrdering);
}

/**
 * The auth chain of some events: their auth events, recursively; an event itself only when it
 * authorises another of them.
 */
export function loadAuthChain(
  db: Kysely<Database>,
  version: RoomVersion,
  roomId: string,
  events: Iterable<EventWithId>,
): Promise<StoredEvent[]> {
  const authIds = new Set<string>();
  for (const event of events) for (const id of authEventIds(version, event.pdu)) authIds.add(id);
  return loadAuthClosure(db, version, roomId, authIds);
}
