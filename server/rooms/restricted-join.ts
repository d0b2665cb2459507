// Joins to a `restricted` (or `knock_restricted`) room without an invite: this server checks the
// allow conditions and, if one holds, names a local member who may invite as the join's
// authoriser (`join_authorised_via_users_server`), which the auth rules then require.
// https://spec.matrix.org/latest/client-server-api/#restricted-rooms
import type { Kysely } from 'kysely';
import { serverNameOf } from '../core/auth-rules/identifiers.ts';
import { contentOf } from '../core/auth-rules/pdu-fields.ts';
import { isJsonObject } from '../core/pdu.ts';
import { stateKey } from '../core/state-map.ts';
import { getEvent, getMembership } from '../storage/events.ts';
import { listJoinedMembers } from '../storage/room-members.ts';
import type { Database } from '../storage/schema.ts';
import type { RoomPower } from './room-power.ts';

/**
 * The local user to name as authoriser, or undefined when the room is not restricted, no allow
 * condition holds, or no local member may invite (the join is then left to the rules to refuse).
 */
export async function restrictedJoinAuthoriser(
  db: Kysely<Database>,
  serverName: string,
  room: { readonly roomId: string; readonly power: RoomPower },
  userId: string,
): Promise<string | undefined> {
  const { power } = room;
  const joinRulesId = power.state.get(stateKey('m.room.join_rules', ''));
  const joinRules =
    joinRulesId === undefined ? {} : contentOf((await getEvent(db, joinRulesId))?.pdu);
  const rule = joinRules.join_rule;
  const restricted =
    (power.version.restrictedJoinRule && rule === 'restricted') ||
    (power.version.knockRestrictedJoinRule && rule === 'knock_restricted');
  if (!restricted || !(await meetsAllowCondition(db, joinRules.allow, userId))) return undefined;

  const inviteLevel = power.required('invite');
  const candidates = (await listJoinedMembers(db, room.roomId)).filter(
    (member) => serverNameOf(member) === serverName && power.levelOf(member) >= inviteLevel,
  );
  // The most powerful member is the least likely to have lost the right to invite by the time
  // other servers check the join against their own state.
  candidates.sort((a, b) => power.levelOf(b) - power.levelOf(a) || (a < b ? -1 : 1));
  return candidates[0];
}

// Only `m.room_membership` exists; rooms this server is not in cannot be checked and count as
// unmet, as the spec asks.
async function meetsAllowCondition(
  db: Kysely<Database>,
  allow: unknown,
  userId: string,
): Promise<boolean> {
  if (!Array.isArray(allow)) return false;
  for (const condition of allow) {
    if (!isJsonObject(condition) || condition.type !== 'm.room_membership') continue;
    if (typeof condition.room_id !== 'string') continue;
    if ((await getMembership(db, condition.room_id, userId)) === 'join') return true;
  }
  return false;
}
