// One membership change as a local m.room.member event through sendLocalEvent, so the room
// engine's rules decide it exactly as they would a member event arriving over federation.
// Joins, invites and knocks carry the target's profile; leaves and bans do not, as a kicked or
// banned user's name is not the room's to repeat.
import type { EventWithId, JsonObject } from '../core/pdu.ts';
import { memberProfile } from './member-profile.ts';
import type { RoomDeps } from './room-deps.ts';
import { sendLocalEvent } from './send-local-event.ts';

export type Membership = 'join' | 'invite' | 'leave' | 'ban' | 'knock';

export interface MembershipChange {
  readonly roomId: string;
  readonly sender: string;
  readonly target: string;
  readonly membership: Membership;
  readonly reason?: string | undefined;
  /** Further content: `is_direct` on an invite, `join_authorised_via_users_server` on a join. */
  readonly extra?: JsonObject | undefined;
}

const WITH_PROFILE: ReadonlySet<Membership> = new Set(['join', 'invite', 'knock']);

export async function updateMembership(
  deps: RoomDeps,
  change: MembershipChange,
): Promise<EventWithId> {
  const profile = WITH_PROFILE.has(change.membership)
    ? await memberProfile(deps.db, deps.serverName, change.target)
    : {};
  const content: JsonObject = {
    ...profile,
    ...change.extra,
    membership: change.membership,
    ...(change.reason === undefined ? {} : { reason: change.reason }),
  };
  return sendLocalEvent(deps, change.roomId, {
    type: 'm.room.member',
    stateKey: change.target,
    sender: change.sender,
    content,
  });
}
