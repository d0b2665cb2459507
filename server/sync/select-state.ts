// Which state entries of a room window go in the `state` section, lazy-loading aside or not.
// Pure: the caller looks up the member events it needs and says which were already sent.
//
// With `lazy_load_members`, member events are sent only for the users the client needs to render
// the response (the timeline's senders, the heroes, the user themself on a full-state sync), and
// of those not the ones the device already has unless `include_redundant_members`. Member events
// that changed in a gap (between the token and a limited timeline) are always sent, as the spec
// requires.
// https://spec.matrix.org/latest/client-server-api/#lazy-loading-room-members
import { type StateKey, splitStateKey } from '../core/state-map.ts';

export interface LazyMembers {
  /** Users whose member events the response needs. */
  readonly needed: ReadonlySet<string>;
  /** Their member events at the start of the timeline (user id -> event id). */
  readonly atStart: ReadonlyMap<string, string>;
  readonly isRedundant: (userId: string, eventId: string) => boolean;
}

export function selectStateEventIds(
  entries: ReadonlyMap<StateKey, string>,
  fullState: boolean,
  lazy: LazyMembers | undefined,
): string[] {
  const selected = new Set<string>();
  for (const [key, eventId] of entries) {
    const [type, userId] = splitStateKey(key);
    if (!lazy || type !== 'm.room.member') selected.add(eventId);
    else if (!fullState) selected.add(eventId);
    else if (lazy.needed.has(userId) && !lazy.isRedundant(userId, eventId)) selected.add(eventId);
  }
  if (lazy) {
    for (const userId of lazy.needed) {
      const eventId = lazy.atStart.get(userId);
      if (eventId !== undefined && !lazy.isRedundant(userId, eventId)) selected.add(eventId);
    }
  }
  return [...selected];
}
