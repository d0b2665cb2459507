// One PDU from another server, from raw JSON to stored: the receipt checks (format, signatures,
// content hash), auth against its own auth events (fetched when missing), the state before it
// (from its prev_events, fetched with get_missing_events when missing; for an event so pulled,
// else asked of the sender), auth against that state, then against the room's current state
// (soft failure), and the persist with the room's new current state.
// https://spec.matrix.org/latest/server-server-api/#checks-performed-on-receipt-of-a-pdu
// A PDU failing a check is dropped (not stored: it may be fetched again later) or rejected
// (stored as such, never state); a soft-failed one joins the DAG but not the timeline.
import {
  checkEventAgainstAuthEvents,
  checkEventAuth,
} from '../../server/core/auth-rules/check-event-auth.ts';
import { contentOf, stateKeyOf } from '../../server/core/auth-rules/pdu-fields.ts';
import { authEventPairs } from '../../server/core/auth-rules/select-auth-events.ts';
import { lookupFromEvents } from '../../server/core/auth-rules/state-lookup.ts';
import { authEventIds, prevEventIds } from '../../server/core/dag/auth-events.ts';
import type { EventWithId } from '../../server/core/pdu.ts';
import type { RoomVersion } from '../../server/core/room-versions.ts';
import { type ReadonlyStateMap, type StateMap, stateKey } from '../../server/core/state-map.ts';
import {
  persistAndAnnounce,
  persistEvent,
  type RejectedReason,
} from '../../server/rooms/persist-event.ts';
import { persistOutliers } from '../../server/rooms/persist-outliers.ts';
import type { RoomDeps } from '../../server/rooms/room-deps.ts';
import { resolveStates } from '../../server/rooms/room-state-resolver.ts';
import { getForwardExtremities } from '../../server/storage/events.ts';
import { currentStateEventIds } from '../../server/storage/sync-room-summary.ts';
import type { ServerKeyStore } from '../keys/remote-keys.ts';
import { acceptOutliers, isRejected } from './accept-outliers.ts';
import { checkPduOnReceipt } from './check-pdu-on-receipt.ts';
import { ReceiveCache } from './receive-cache.ts';
import type { RemoteHistory } from './remote-history.ts';
import {
  type StateBefore,
  stateBeforeFromPrevEvents,
  stateBeforeFromRemote,
} from './state-before-pdu.ts';

export type PduOutcome =
  | { readonly eventId: string; readonly status: 'accepted' | 'soft_failed' | 'duplicate' }
  | {
      readonly eventId: string | undefined;
      readonly status: 'rejected' | 'dropped';
      readonly reason: string;
    };

export interface ReceiveDeps extends RoomDeps {
  readonly serverKeys: Pick<ServerKeyStore, 'getVerifyKey'>;
}

/** How many missing prev_events are asked for in one get_missing_events. */
const MISSING_EVENTS_LIMIT = 20;

/** Receives PDUs of one room in order of depth, under the room's lock. */
export function receivePdus(
  deps: ReceiveDeps,
  roomId: string,
  version: RoomVersion,
  raws: readonly unknown[],
  remote: RemoteHistory | undefined,
): Promise<PduOutcome[]> {
  return deps.roomLocks.run(roomId, async () => {
    const cache = new ReceiveCache(deps.db);
    const outcomes: PduOutcome[] = [];
    for (const raw of byDepth(raws)) {
      outcomes.push(await receiveLocked(deps, cache, roomId, version, raw, remote, true));
    }
    return outcomes;
  });
}

async function receiveLocked(
  deps: ReceiveDeps,
  cache: ReceiveCache,
  roomId: string,
  version: RoomVersion,
  raw: unknown,
  remote: RemoteHistory | undefined,
  fillGaps: boolean,
): Promise<PduOutcome> {
  const check = await checkPduOnReceipt(version, raw, deps.serverKeys);
  if (!check.ok) return { eventId: check.eventId, status: 'dropped', reason: check.reason };
  const { event } = check;
  const { eventId, pdu } = event;
  const dropped = (reason: string): PduOutcome => ({ eventId, status: 'dropped', reason });
  if (pdu.room_id !== roomId) return dropped(`the event is not for ${roomId}`);
  const authIds = authEventIds(version, pdu);
  // The event itself and its auth events in one read.
  let authEvents = await cache.getEvents([eventId, ...authIds]);
  const existing = authEvents.get(eventId);
  if (existing && !existing.outlier) return { eventId, status: 'duplicate' };
  if (existing && isRejected(existing)) {
    return { eventId, status: 'rejected', reason: `rejected before: ${existing.rejectedReason}` };
  }

  // Step 4: its own auth events, fetched from the sender when we lack some.
  if (authIds.some((id) => !authEvents.has(id)) && remote) {
    const chain = await remote.getEventAuth(roomId, eventId).catch(() => []);
    await acceptOutliers(deps, version, roomId, chain);
    authEvents = await cache.getEvents(authIds);
  }
  const missingAuth = authIds.filter((id) => !authEvents.has(id));
  if (missingAuth.length > 0) return dropped(`auth events unavailable: ${missingAuth.join(', ')}`);
  const byAuth = checkEventAgainstAuthEvents(version, event, (id) => usable(authEvents.get(id)), {
    isRejected: (id) => {
      const stored = authEvents.get(id);
      return stored !== undefined && isRejected(stored);
    },
  });
  if (!byAuth.allowed) {
    // Kept in the DAG with the state before it when its prev_events are known (it changes no
    // state), so events citing it as a prev_event still have a state; an outlier otherwise.
    const before = await stateBeforeFromPrevEvents(deps.db, version, event, {}, cache.readGroup);
    if (before) {
      await persist(deps, cache, roomId, event, before, existing !== undefined, 'auth_events');
    } else if (!existing) {
      await persistOutliers(deps, roomId, [{ event, rejectedReason: 'auth_events' }]);
      cache.forgetEvent(eventId);
    }
    return { eventId, status: 'rejected', reason: byAuth.reason };
  }

  // Step 5: the state before it.
  let before = await stateBeforeFromPrevEvents(deps.db, version, event, {}, cache.readGroup);
  if (!before && remote && fillGaps) {
    await fetchMissingPrevEvents(deps, cache, roomId, version, event, remote);
    before = await stateBeforeFromPrevEvents(deps.db, version, event, {}, cache.readGroup);
  }
  // Only an event we pulled (from get_missing_events) gets its state from the sender. One pushed
  // to us whose prev_events the sender would not give us is dropped, as Synapse drops it: were
  // it taken with state the sender vouches for, it could become the room's only extremity on
  // that state alone. A later event citing it brings another get_missing_events.
  if (!before && remote && !fillGaps) {
    const accept = async (raws: unknown[]) =>
      (await acceptOutliers(deps, version, roomId, raws)).accepted;
    before = await stateBeforeFromRemote(deps.db, roomId, event, remote, accept);
  }
  if (!before) return dropped('the state before the event is unknown: prev_events unavailable');

  const againstBefore = checkEventAuth(
    version,
    event,
    await lookupFor(cache, version, event, before.state),
  );
  if (!againstBefore.allowed) {
    await persist(deps, cache, roomId, event, before, existing !== undefined, 'state_before');
    return { eventId, status: 'rejected', reason: againstBefore.reason };
  }

  // Step 6: against the current state; failing that, it is kept out of the timeline.
  // Only the entries the rules read: a big room's full state is not loaded for every PDU.
  const currentIds = await currentStateEventIds(deps.db, roomId, [
    ['m.room.create', ''],
    ...authPairsOf(version, event),
  ]);
  const currentEvents = await cache.getEvents(currentIds);
  const againstCurrent = checkEventAuth(
    version,
    event,
    lookupFromEvents([...currentEvents.values()].filter((each) => !isRejected(each))),
  );
  if (!againstCurrent.allowed) {
    await persist(deps, cache, roomId, event, before, existing !== undefined, 'soft_failed');
    return { eventId, status: 'soft_failed' };
  }

  const currentAfter = await currentStateAfter(deps, cache, roomId, version, event, before);
  const persisted = await persistAndAnnounce(deps, {
    roomId,
    event,
    stateBefore: before,
    ...(currentAfter ? { currentStateAfter: currentAfter } : {}),
    ...(existing ? { replacesOutlier: true } : {}),
  });
  cache.forgetEvent(eventId);
  cache.rememberGroup(persisted.stateAfter.group, persisted.stateAfter.state);
  return { eventId, status: 'accepted' };
}

/** Asks the sender for the events between our forward extremities and this one, oldest first. */
async function fetchMissingPrevEvents(
  deps: ReceiveDeps,
  cache: ReceiveCache,
  roomId: string,
  version: RoomVersion,
  event: EventWithId,
  remote: RemoteHistory,
): Promise<void> {
  const extremities = await getForwardExtremities(deps.db, roomId);
  let missing: unknown[];
  try {
    missing = await remote.getMissingEvents(roomId, {
      earliest: extremities.map((each) => each.eventId),
      latest: [event.eventId],
      limit: MISSING_EVENTS_LIMIT,
      minDepth: 0,
    });
  } catch {
    return;
  }
  for (const raw of byDepth(missing)) {
    // Without filling gaps again: an event whose own prev_events are still missing gets its
    // state from the sender instead, which bounds the work one PDU can cause.
    await receiveLocked(deps, cache, roomId, version, raw, remote, false);
  }
}

/** The room's state once `event` is in, when not just "the state after it on top of ours". */
async function currentStateAfter(
  deps: ReceiveDeps,
  cache: ReceiveCache,
  roomId: string,
  version: RoomVersion,
  event: EventWithId,
  before: StateBefore,
): Promise<StateMap | undefined> {
  const prevs = new Set(prevEventIds(event.pdu));
  const extremities = await getForwardExtremities(deps.db, roomId);
  const others = extremities.filter((x) => !prevs.has(x.eventId));
  const extendsAll = others.length === 0 && extremities.length === prevs.size;
  // The common case: the event follows every extremity and its state came from them, so the
  // persist step's update of the one key it sets is the whole change.
  if (extendsAll && before.fromPrevEvents) return undefined;
  // Forks that all have the state the event's prev_events have (one stored group): the room's
  // state is that state, before the event and, unless it sets state, after it too. A server
  // citing many prev_events (Synapse: up to ten) leaves a room of messages with many forks.
  const setsState = stateKeyOf(event.pdu) !== undefined;
  if (!setsState && before.group !== null && before.fromPrevEvents) {
    if (others.every((x) => x.stateAfter === before.group)) return undefined;
  }
  const after = stateAfter(event, before.state);
  if (others.length === 0) return after;
  const otherGroups = new Set<number>();
  for (const other of others) {
    // An extremity without state (not expected: outliers are never extremities) cannot count.
    if (other.stateAfter === null) return after;
    otherGroups.add(other.stateAfter);
  }
  // Each distinct state once: forks of messages share one.
  const otherStates: { group: number; state: ReadonlyStateMap }[] = [];
  for (const group of otherGroups) otherStates.push({ group, state: await cache.readGroup(group) });
  // The event itself is not stored yet: it is handed over, or its own entry would be left out.
  const resolved = await resolveStates(
    deps.db,
    version,
    [
      ...otherStates,
      // A group id no stored group has, so the two are never taken for the same state.
      { group: -1, state: after },
    ],
    {},
    [event],
  );
  return resolved.state;
}

function stateAfter(event: EventWithId, before: ReadonlyStateMap): StateMap {
  const after = new Map(before);
  const key = stateKeyOf(event.pdu);
  if (key !== undefined) after.set(stateKey(event.pdu.type, key), event.eventId);
  return after;
}

async function lookupFor(
  cache: ReceiveCache,
  version: RoomVersion,
  event: EventWithId,
  state: ReadonlyStateMap,
) {
  const ids = authPairsOf(version, event)
    .map(([type, key]) => state.get(stateKey(type, key)))
    .filter((id): id is string => id !== undefined);
  const createId = state.get(stateKey('m.room.create', ''));
  if (createId) ids.push(createId);
  const events = await cache.getEvents(ids);
  return lookupFromEvents([...events.values()].filter((each) => !isRejected(each)));
}

/** The (type, state_key) entries the auth rules read for this event. */
function authPairsOf(version: RoomVersion, event: EventWithId) {
  return authEventPairs(version, {
    type: event.pdu.type,
    stateKey: stateKeyOf(event.pdu),
    sender: event.pdu.sender,
    content: contentOf(event.pdu),
  });
}

async function persist(
  deps: ReceiveDeps,
  cache: ReceiveCache,
  roomId: string,
  event: EventWithId,
  before: StateBefore,
  replacesOutlier: boolean,
  rejectedReason: RejectedReason,
): Promise<void> {
  const persisted = await persistEvent(deps, {
    roomId,
    event,
    stateBefore: before,
    rejectedReason,
    ...(replacesOutlier ? { replacesOutlier: true } : {}),
  });
  cache.forgetEvent(event.eventId);
  cache.rememberGroup(persisted.stateAfter.group, persisted.stateAfter.state);
}

function usable(event: (EventWithId & { rejectedReason: string | null }) | undefined) {
  return event && !isRejected(event as never) ? event : undefined;
}

function byDepth(raws: readonly unknown[]): unknown[] {
  const depthOf = (raw: unknown) => {
    const depth = (raw as { depth?: unknown } | null)?.depth;
    return typeof depth === 'number' ? depth : 0;
  };
  return [...raws].sort((a, b) => depthOf(a) - depthOf(b));
}
