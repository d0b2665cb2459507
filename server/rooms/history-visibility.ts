// Whether a user may see one event, by the spec's history visibility rules. Pure: the caller reads
// the state before the event and the user's join history, and hands over the facts.
// https://spec.matrix.org/latest/client-server-api/#server-behaviour-7 (Room History Visibility)
import type { JsonObject } from '../core/pdu.ts';

export type HistoryVisibility = 'world_readable' | 'shared' | 'invited' | 'joined';

const VALUES: ReadonlySet<string> = new Set(['world_readable', 'shared', 'invited', 'joined']);

/** A missing or unknown value counts as `shared`, as the spec says. */
export function historyVisibilityOf(content: JsonObject | undefined): HistoryVisibility {
  const value = content?.history_visibility;
  return typeof value === 'string' && VALUES.has(value) ? (value as HistoryVisibility) : 'shared';
}

export interface EventFacts {
  readonly type: string;
  readonly stateKey: string | undefined;
  readonly content: JsonObject;
}

export interface ViewerFacts {
  readonly userId: string;
  /** The room's history visibility in the state before the event. */
  readonly visibilityBefore: HistoryVisibility;
  /** The user's membership in the state before the event, if any. */
  readonly membershipBefore: string | undefined;
  /** The user joined the room at some point after the event (rule 3 of the spec). */
  readonly joinedAfter: boolean;
}

export function mayUserSeeEvent(event: EventFacts, viewer: ViewerFacts): boolean {
  // A history visibility change is visible if the setting before or after it allows it; a user's
  // own membership change if the membership before or after it does. So everyone who could see
  // either side sees the boundary, and a user always sees their own join and leave.
  const visibilities = [viewer.visibilityBefore];
  if (event.type === 'm.room.history_visibility' && event.stateKey === '') {
    visibilities.push(historyVisibilityOf(event.content));
  }
  const memberships = [viewer.membershipBefore];
  if (event.type === 'm.room.member' && event.stateKey === viewer.userId) {
    const after = event.content.membership;
    memberships.push(typeof after === 'string' ? after : undefined);
  }
  return visibilities.some((visibility) =>
    memberships.some((membership) => allows(visibility, membership, viewer.joinedAfter)),
  );
}

function allows(
  visibility: HistoryVisibility,
  membership: string | undefined,
  joinedAfter: boolean,
): boolean {
  if (visibility === 'world_readable') return true;
  if (membership === 'join') return true;
  if (visibility === 'shared' && joinedAfter) return true;
  return visibility === 'invited' && membership === 'invite';
}
