// The timeline of one room for a sync, and the state that goes with it (spec, "Syncing"):
// - the newest `limit` events of the window (after the token, or the room's latest for an initial
//   sync or a newly joined room), `limited` when more exist before them;
// - the state at the start of that timeline: in full for an initial or full-state sync, otherwise
//   only what changed between the token and the timeline's start (empty unless the timeline is
//   limited, or the filter left state events out of it).
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
  /** The full state at the timeline's start when undefined, else its change since this position. */
  readonly stateSince: number | undefined;
  /** History visibility, for windows reaching back before the user could see the room. */
  readonly visible?: ((events: SyncEvent[]) => Promise<SyncEvent[]>) | undefined;
}

export interface RoomWindow {
  /** Oldest first. */
  readonly timeline: readonly SyncEvent[];
  readonly limited: boolean;
  /** The state group at the start of the timeline; null before the create event. */
  readonly startGroup: number | null;
  /** The full state at the start, or the entries that changed since `stateSince`. */
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
  const base = { timeline, limited: slice.limited, startGroup };

  if (request.stateSince === undefined) {
    const state = startGroup === null ? new Map() : await readStateGroup(db, startGroup);
    return { ...base, state, fullState: true };
  }
  const sinceGroup = (await stateGroupAt(db, request.roomId, request.stateSince)) ?? null;
  if (sinceGroup === startGroup) return { ...base, state: new Map(), fullState: false };
  const [before, start] = await Promise.all([
    sinceGroup === null ? new Map<StateKey, string>() : readStateGroup(db, sinceGroup),
    startGroup === null ? new Map<StateKey, string>() : readStateGroup(db, startGroup),
  ]);
  const changed = new Map<StateKey, string>();
  for (const [key, eventId] of start) if (before.get(key) !== eventId) changed.set(key, eventId);
  return { ...base, state: changed, fullState: false };
}
