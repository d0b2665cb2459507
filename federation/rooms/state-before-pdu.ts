// The state before a received event. When its prev_events are stored with their state, it is
// theirs (resolved when there are several); when they are not, the server that sent the event is
// asked for the missing history (get_missing_events), and if a gap remains, for the state at the
// event itself (state_ids), whose events are fetched and checked as outliers.
// https://spec.matrix.org/latest/server-server-api/#pdus (steps 4 and 5 of receipt)

import type { Kysely } from 'kysely';
import type { AuthOptions } from '../../server/core/auth-rules/auth-types.ts';
import { prevEventIds } from '../../server/core/dag/auth-events.ts';
import type { EventWithId } from '../../server/core/pdu.ts';
import type { RoomVersion } from '../../server/core/room-versions.ts';
import { type StateMap, stateKey } from '../../server/core/state-map.ts';
import {
  resolveStates,
  type StateGroupReader,
  statesAfter,
} from '../../server/rooms/room-state-resolver.ts';
import { getEvents } from '../../server/storage/events.ts';
import type { Database } from '../../server/storage/schema.ts';
import type { RemoteHistory } from './remote-history.ts';

export interface StateBefore {
  readonly group: number | null;
  readonly state: StateMap;
  /** True when it came from the prev_events' stored states (not from another server). */
  readonly fromPrevEvents: boolean;
}

/** From stored prev_events only; undefined when one is missing or has no state (an outlier). */
export async function stateBeforeFromPrevEvents(
  db: Kysely<Database>,
  version: RoomVersion,
  event: EventWithId,
  options: AuthOptions = {},
  readGroup?: StateGroupReader,
): Promise<StateBefore | undefined> {
  const prevs = prevEventIds(event.pdu);
  if (prevs.length === 0) return undefined;
  const states = await statesAfter(db, prevs, readGroup);
  if (!states) return undefined;
  const resolved = await resolveStates(db, version, states, options);
  return { ...resolved, fromPrevEvents: true };
}

/** Unknown events are asked for this many at a time. */
const FETCH_CONCURRENCY = 8;

/**
 * The state before `event` as `remote` reports it; its events we lack are fetched one by one and
 * taken in through `accept` (receipt checks and auth against their own auth events). Entries
 * whose events cannot be had or are refused are left out.
 */
export async function stateBeforeFromRemote(
  db: Kysely<Database>,
  roomId: string,
  event: EventWithId,
  remote: RemoteHistory,
  accept: (raws: unknown[]) => Promise<ReadonlyMap<string, EventWithId>>,
): Promise<StateBefore | undefined> {
  let answer: { stateIds: string[]; authChainIds: string[] };
  try {
    answer = await remote.getStateIds(roomId, event.eventId);
  } catch {
    return undefined;
  }
  const wanted = [...new Set([...answer.authChainIds, ...answer.stateIds])];
  const stored = await getEvents(db, wanted);
  const unknown = wanted.filter((id) => !stored.has(id));
  const fetched: unknown[] = [];
  for (let at = 0; at < unknown.length; at += FETCH_CONCURRENCY) {
    const batch = await Promise.all(
      unknown
        .slice(at, at + FETCH_CONCURRENCY)
        .map((id) => remote.getEvent(id).catch(() => undefined)),
    );
    for (const raw of batch) if (raw !== undefined) fetched.push(raw);
  }
  const accepted = await accept(fetched);
  const state: StateMap = new Map();
  for (const id of answer.stateIds) {
    const stateEvent = accepted.get(id) ?? usable(stored.get(id));
    if (!stateEvent || typeof stateEvent.pdu.state_key !== 'string') continue;
    state.set(stateKey(stateEvent.pdu.type, stateEvent.pdu.state_key), id);
  }
  if (!state.has(stateKey('m.room.create', ''))) return undefined;
  return { group: null, state, fromPrevEvents: false };
}

function usable(
  event: (EventWithId & { rejectedReason: string | null }) | undefined,
): EventWithId | undefined {
  if (!event) return undefined;
  return event.rejectedReason === 'auth_events' || event.rejectedReason === 'state_before'
    ? undefined
    : event;
}
