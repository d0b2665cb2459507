// Takes in events another server sent as a room's state or auth chain (send_join, state, the
// auth events of a new event): each gets the receipt checks and the auth rules against its own
// auth events, in auth order, and is stored as an outlier. An event failing its signatures or
// format is dropped; one failing the auth rules is stored as rejected, so nothing citing it can
// pass and it is never asked for again.
import { checkEventAgainstAuthEvents } from '../../server/core/auth-rules/check-event-auth.ts';
import { authEventIds } from '../../server/core/dag/auth-events.ts';
import { lexicographicTopologicalSort } from '../../server/core/dag/topological-order.ts';
import type { EventWithId } from '../../server/core/pdu.ts';
import type { RoomVersion } from '../../server/core/room-versions.ts';
import type { PersistTarget } from '../../server/rooms/persist-event.ts';
import { type OutlierToPersist, persistOutliers } from '../../server/rooms/persist-outliers.ts';
import { getEvents, type StoredEvent } from '../../server/storage/events.ts';
import type { ServerKeyStore } from '../keys/remote-keys.ts';
import { checkPduOnReceipt } from './check-pdu-on-receipt.ts';

export interface OutlierIntake {
  /** Events now stored and not rejected (including those stored before). */
  readonly accepted: ReadonlyMap<string, EventWithId>;
  /** Event ids of events refused: dropped or rejected, with why. */
  readonly refused: ReadonlyMap<string, string>;
}

export async function acceptOutliers(
  target: PersistTarget & { readonly serverKeys: Pick<ServerKeyStore, 'getVerifyKey'> },
  version: RoomVersion,
  roomId: string,
  rawEvents: readonly unknown[],
): Promise<OutlierIntake> {
  const refused = new Map<string, string>();
  const received = new Map<string, EventWithId>();
  const checks = await Promise.all(
    rawEvents.map((raw) => checkPduOnReceipt(version, raw, target.serverKeys)),
  );
  for (const check of checks) {
    if (!check.ok) {
      if (check.eventId) refused.set(check.eventId, check.reason);
      continue;
    }
    // A v12 create event carries no room_id: its id must be the room's.
    const eventRoom = check.event.pdu.room_id ?? `!${check.event.eventId.slice(1)}`;
    if (eventRoom !== roomId)
      refused.set(check.event.eventId, `the event is for ${String(eventRoom)}`);
    else received.set(check.event.eventId, check.event);
  }

  // What the auth rules may read: the received events and those already stored that they cite.
  const cited = new Set<string>();
  for (const event of received.values()) {
    for (const id of authEventIds(version, event.pdu)) if (!received.has(id)) cited.add(id);
  }
  const stored = await getEvents(target.db, [...cited, ...received.keys()]);
  const usable = new Map<string, EventWithId>();
  const rejected = new Set<string>();
  for (const [id, event] of stored) {
    if (isRejected(event)) rejected.add(id);
    else usable.set(id, event);
  }

  const ordered = lexicographicTopologicalSort(
    [...received.values()],
    (event) => authEventIds(version, event.pdu).flatMap((id) => received.get(id) ?? []),
    (a, b) => a.pdu.depth < b.pdu.depth || (a.pdu.depth === b.pdu.depth && a.eventId < b.eventId),
  );
  const toStore: OutlierToPersist[] = [];
  for (const event of ordered) {
    if (stored.has(event.eventId)) continue;
    const verdict = checkEventAgainstAuthEvents(version, event, (id) => usable.get(id), {
      isRejected: (id) => rejected.has(id),
    });
    if (verdict.allowed) {
      usable.set(event.eventId, event);
      toStore.push({ event });
    } else {
      rejected.add(event.eventId);
      refused.set(event.eventId, verdict.reason);
      toStore.push({ event, rejectedReason: 'auth_events' });
    }
  }
  // Events on a cycle never become ready: forged, dropped.
  const placed = new Set(ordered.map((event) => event.eventId));
  for (const id of received.keys())
    if (!placed.has(id)) refused.set(id, 'its auth events form a cycle');

  await persistOutliers(target, roomId, toStore);
  const accepted = new Map<string, EventWithId>();
  for (const id of received.keys()) {
    const event = usable.get(id);
    if (event) accepted.set(id, event);
  }
  return { accepted, refused };
}

export function isRejected(event: StoredEvent): boolean {
  return event.rejectedReason === 'auth_events' || event.rejectedReason === 'state_before';
}
