// State resolution over what the database holds: the store state resolution reads events from,
// and the two resolutions the federation pipeline needs, the state before an event whose
// prev_events are stored, and the room's state over several forward extremities.

import type { Kysely } from 'kysely';
import type { AuthOptions } from '../core/auth-rules/auth-types.ts';
import type { EventWithId } from '../core/pdu.ts';
import type { RoomVersion } from '../core/room-versions.ts';
import type { ReadonlyStateMap, StateMap } from '../core/state-map.ts';
import { authCheckFor } from '../core/state-res/auth-check.ts';
import { resolveState } from '../core/state-res/resolve-state.ts';
import type { StateResStore, StoredEvent } from '../core/state-res/types.ts';
import { getEvents } from '../storage/events.ts';
import type { Database } from '../storage/schema.ts';
import { readStateGroup } from '../storage/state-groups.ts';

/** Events as state resolution sees them; soft-failed events are not rejected, only hidden. */
export function databaseStateResStore(db: Kysely<Database>): StateResStore {
  return {
    async getEvents(eventIds) {
      const found = new Map<string, StoredEvent>();
      for (const [id, event] of await getEvents(db, eventIds)) {
        const reason = event.rejectedReason;
        const rejection =
          reason === 'auth_events'
            ? 'auth-events'
            : reason === 'state_before'
              ? 'state-before'
              : undefined;
        found.set(id, rejection ? { ...event, rejection } : event);
      }
      return found;
    },
  };
}

/** Reads a stored state group; the maps it gives are shared, never to be changed. */
export type StateGroupReader = (group: number) => Promise<ReadonlyStateMap>;

/**
 * The states after the given events, one per distinct stored state group (forks of messages,
 * which change no state, share one: it is read once); undefined when any event has none.
 */
export async function statesAfter(
  db: Kysely<Database>,
  eventIds: readonly string[],
  readGroup: StateGroupReader = (group) => readStateGroup(db, group),
): Promise<{ group: number; state: ReadonlyStateMap }[] | undefined> {
  if (eventIds.length === 0) return [];
  const rows = await db
    .selectFrom('events')
    .select(['event_id', 'state_after'])
    .where('event_id', 'in', [...eventIds])
    .execute();
  if (rows.length !== new Set(eventIds).size) return undefined;
  const groups = new Set<number>();
  for (const row of rows) {
    if (row.state_after === null) return undefined;
    groups.add(row.state_after);
  }
  const states: { group: number; state: ReadonlyStateMap }[] = [];
  for (const group of groups) states.push({ group, state: await readGroup(group) });
  return states;
}

/**
 * The resolution of several states (one per fork), or the one state when they all agree. Its
 * group is kept only when there was a single state, so the caller can store a delta against it.
 * `unstored`: events the states name that are not in the database yet (the event being received,
 * in the state after it): resolution leaves out any event it cannot read.
 */
export async function resolveStates(
  db: Kysely<Database>,
  version: RoomVersion,
  states: readonly { group: number; state: ReadonlyStateMap }[],
  options: AuthOptions = {},
  unstored: readonly EventWithId[] = [],
): Promise<{ group: number | null; state: StateMap }> {
  const distinct = new Map(states.map((each) => [each.group, each]));
  if (distinct.size === 1) {
    const only = [...distinct.values()][0]!;
    return { group: only.group, state: new Map(only.state) };
  }
  const state = await resolveState(
    version,
    [...distinct.values()].map((each) => each.state),
    withUnstored(databaseStateResStore(db), unstored),
    authCheckFor(version, options),
  );
  return { group: null, state };
}

function withUnstored(store: StateResStore, unstored: readonly EventWithId[]): StateResStore {
  if (unstored.length === 0) return store;
  return {
    async getEvents(eventIds) {
      const found = new Map(await store.getEvents(eventIds));
      for (const event of unstored) {
        if (eventIds.includes(event.eventId)) found.set(event.eventId, event);
      }
      return found;
    },
  };
}
