// The membership endpoints other than join, as checks the spec asks of the server on top of the
// auth rules, then one member event each. Whatever the rules alone decide (power to kick, ban or
// invite; invitee banned or already joined) is left to them, so the reason a client gets is the
// room engine's.
// https://spec.matrix.org/latest/client-server-api/#room-membership
import { isValidUserId, serverNameOf } from '../core/auth-rules/identifiers.ts';
import { forbidden, invalidParam, MatrixError, notFound } from '../http/matrix-error.ts';
import { getMembership, getRoomVersionOf } from '../storage/events.ts';
import { getUserById } from '../storage/users.ts';
import type { RoomDeps } from './room-deps.ts';
import { updateMembership } from './update-membership.ts';

export interface TargetedChange {
  readonly roomId: string;
  readonly sender: string;
  readonly target: string;
  readonly reason?: string | undefined;
}

export async function leaveRoom(
  deps: RoomDeps,
  change: Omit<TargetedChange, 'target'>,
): Promise<void> {
  const { roomId, sender } = change;
  // Leaving a room already left succeeds without a new event, so a retried leave is harmless.
  if ((await getMembership(deps.db, roomId, sender)) === 'leave') return;
  await updateMembership(deps, { ...change, target: sender, membership: 'leave' });
}

/** The request schema checks the shape; this checks the grammar (server name included). */
function requireUserId(userId: string): void {
  if (!isValidUserId(userId)) throw invalidParam(`${userId} is not a valid user id`);
}

export async function inviteUser(deps: RoomDeps, change: TargetedChange): Promise<void> {
  const { roomId, sender, target } = change;
  requireUserId(target);
  if (serverNameOf(target) === deps.serverName) {
    const user = await getUserById(deps.db, target);
    if (!user || user.isDeactivated) throw forbidden(`${target} is not a user of this server`);
  }
  // "or was already invited": a second invite from a member changes nothing.
  const [senderMembership, targetMembership] = await Promise.all([
    getMembership(deps.db, roomId, sender),
    getMembership(deps.db, roomId, target),
  ]);
  if (senderMembership === 'join' && targetMembership === 'invite') return;
  await updateMembership(deps, { ...change, membership: 'invite' });
}

/** Kicking also revokes an invite or refuses a knock; it cannot act on a user not in the room. */
export async function kickUser(deps: RoomDeps, change: TargetedChange): Promise<void> {
  requireUserId(change.target);
  const membership = await getMembership(deps.db, change.roomId, change.target);
  if (membership !== 'join' && membership !== 'invite' && membership !== 'knock') {
    throw forbidden(`${change.target} is not in the room`);
  }
  await updateMembership(deps, { ...change, membership: 'leave' });
}

export async function banUser(deps: RoomDeps, change: TargetedChange): Promise<void> {
  requireUserId(change.target);
  await updateMembership(deps, { ...change, membership: 'ban' });
}

export async function unbanUser(deps: RoomDeps, change: TargetedChange): Promise<void> {
  requireUserId(change.target);
  if ((await getMembership(deps.db, change.roomId, change.target)) !== 'ban') {
    // M_BAD_STATE is the spec's code for "unban a user who is not banned"; 403 is the status the
    // unban endpoint documents for refusals.
    throw new MatrixError(403, 'M_BAD_STATE', `${change.target} is not banned`);
  }
  await updateMembership(deps, { ...change, membership: 'leave' });
}

export async function knockOnRoom(
  deps: RoomDeps,
  change: Omit<TargetedChange, 'target'>,
): Promise<void> {
  if ((await getRoomVersionOf(deps.db, change.roomId)) === undefined) {
    throw notFound(`Room ${change.roomId} is not known to this server`);
  }
  await updateMembership(deps, { ...change, target: change.sender, membership: 'knock' });
}
