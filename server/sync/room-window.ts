// The timeline of one room for a sync, and the state that goes with it (spec, "Syncing"):
// - the newest `limit` events of the window (after the token, or the room's latest for an initial
//   sync or a newly joined room), `limited` when more exist before them;
// - the state at the start of that timeline: in full for an initial or full-state sync, otherwise
//   only what changed between the token and the timeline's start (empty unless the timeline is
//   limited, or the filter left state events out of it). With `use_state_after`, the state at the
//   window's end instead, in full or as what changed since the token (timeline state included).
// The state at a point is the state group before the first event returned, or after the room's
// last event at the window's end when nothing is returned; deltas compare two groups. A state
// event that the timeline filter leaves out after the timeline's start is not in the state either
// (it is after the start): a filtered timeline is the client's choice, as in Synapse.
import type { Kysely } from 'kysely';
import type { RoomEventFilter } from '../../schemas/requests/sync-filter.ts';
import type { StateKey } from '../core/state-map.ts';
import type { Database } from '../storage/schema.ts';
import { readStateGroup } from '../storage/state-groups.ts';
import { loadTimeline, type SyncEvent, stateGroupAt } from '../storage/sync-timeline.ts';

export interface WindowRequest {
  readonly roomId: string;
  /** Timeline events after this position; undefined for the room's latest events. */
  readonly after: number | undefined;
  readonly upTo: number;
  readonly limit: number;
  readonly filter: RoomEventFilter | undefined;
  /** Senders whose non-state events the timeline leaves out (the user's ignored users). */
  readonly ignoredSenders?: readonly string[] | undefined;
  /** The full state when undefined, else its change since this position. */
  readonly stateSince: number | undefined;
  /** The state at the window's end (`state_after`) rather than at the timeline's start. */
  readonly stateAtEnd?: boolean | undefined;
  /** History visibility, for windows reaching back before the user could see the room. */
  readonly visible?: ((events: SyncEvent[]) => Promise<SyncEvent[]>) | undefined;
}

export interface RoomWindow {
  /** Oldest first. */
  readonly timeline: readonly SyncEvent[];
  readonly limited: boolean;
  /** The state group at the start of the timeline; null before the create event. */
  readonly startGroup: number | null;
  /** The group `state` describes: the start's, or the window end's for `stateAtEnd`. */
  readonly stateGroup: number | null;
  /** The full state at that point, or the entries that changed since `stateSince`. */
  readonly state: ReadonlyMap<StateKey, string>;
  readonly fullState: boolean;
}

export async function loadRoomWindow(
  db: Kysely<Database>,
  request: WindowRequest,
): Promise<RoomWindow> {
  const slice = await loadTimeline(db, request.roomId, {
    after: request.after,
    upTo: request.upTo,
    limit: request.limit,
    filter: request.filter,
    ignoredSenders: request.ignoredSenders,
  });
  const timeline = request.visible ? await request.visible(slice.events) : slice.events;
  const first = timeline[0];
  const startGroup = first
    ? first.stateBefore
    : ((await stateGroupAt(db, request.roomId, request.upTo)) ?? null);
  // The window's end is its last position, whatever the timeline filter left out before it.
  const stateGroup = request.stateAtEnd
    ? ((await stateGroupAt(db, request.roomId, request.upTo)) ?? null)
    : startGroup;
  const base = { timeline, limited: slice.limited, startGroup, stateGroup };

  if (request.stateSince === undefined) {
    const state = stateGroup === null ? new Map() : await readStateGroup(db, stateGroup);
    return { ...base, state, fullState: true };
  }
  const sinceGroup = (await stateGroupAt(db, request.roomId, request.stateSince)) ?? null;
  if (sinceGroup === stateGroup) return { ...base, state: new Map(), fullState: false };
  const [before, start] = await Promise.all([
    sinceGroup === null ? new Map<StateKey, string>() : readStateGroup(db, sinceGroup),
    stateGroup === null ? new Map<StateKey, string>() : readStateGroup(db, stateGroup),
  ]);
  const changed = new Map<StateKey, string>();
  for (const [key, eventId] of start) if (before.get(key) !== eventId) changed.set(key, eventId);
  return { ...base, state: changed, fullState: false };
}
