// Rule "type is m.room.member": every membership transition (join, invite, leave, ban, knock).
// https://spec.matrix.org/latest/rooms/v12/#authorization-rules (rule 5; rule 4 before v12)

import type { EventWithId } from '../pdu.ts';
import type { RoomVersion } from '../room-versions.ts';
import {
  ALLOWED,
  type AuthOptions,
  type AuthResult,
  deny,
  type StateLookup,
} from './auth-types.ts';
import { serverNameOf } from './identifiers.ts';
import { contentOf, membershipOf, referencedIds, stateKeyOf, stringField } from './pdu-fields.ts';
import { getNamedLevel, getUserPowerLevel } from './power-levels.ts';
import { primaryCreator } from './room-creators.ts';
import { checkThirdPartyInvite } from './third-party-invite.ts';

/** Reads of the state every transition needs, computed on demand. */
interface MemberContext {
  readonly version: RoomVersion;
  readonly event: EventWithId;
  readonly sender: string;
  readonly target: string;
  readonly state: StateLookup;
  readonly create: EventWithId;
  readonly options: AuthOptions;
}

export function checkMemberEvent(
  version: RoomVersion,
  event: EventWithId,
  state: StateLookup,
  create: EventWithId,
  options: AuthOptions,
): AuthResult {
  const target = stateKeyOf(event.pdu);
  const content = contentOf(event.pdu);
  if (target === undefined || !Object.hasOwn(content, 'membership')) {
    return deny('m.room.member needs a state_key and a membership');
  }
  if (version.restrictedJoinRule && Object.hasOwn(content, 'join_authorised_via_users_server')) {
    // The spec asks this of every membership, not only joins (Synapse checks joins only).
    const server = serverNameOf(content.join_authorised_via_users_server);
    const signedBy = options.isSignedBy ?? hasSignatureFrom;
    if (server === undefined || !signedBy(event, server)) {
      return deny('not signed by the server of join_authorised_via_users_server');
    }
  }
  const context: MemberContext = {
    version,
    event,
    sender: event.pdu.sender,
    target,
    state,
    create,
    options,
  };
  switch (content.membership) {
    case 'join':
      return checkJoin(context);
    case 'invite':
      return checkInvite(context);
    case 'leave':
      return checkLeave(context);
    case 'ban':
      return checkBan(context);
    case 'knock':
      if (version.knockJoinRule) return checkKnock(context);
      break;
  }
  return deny(`unknown membership ${JSON.stringify(content.membership)}`);
}

function checkJoin(c: MemberContext): AuthResult {
  const prevEvents = referencedIds(c.event.pdu.prev_events);
  if (
    prevEvents.length === 1 &&
    prevEvents[0] === c.create.eventId &&
    c.target === primaryCreator(c.version, c.create.pdu)
  ) {
    return ALLOWED;
  }
  if (c.sender !== c.target) return deny('cannot join on behalf of another user');
  const membership = membershipOf(c.state, c.sender);
  if (membership === 'ban') return deny(`${c.sender} is banned`);
  const wasInvitedOrJoined = membership === 'invite' || membership === 'join';
  const joinRule = joinRuleOf(c.state);

  if (joinRule === 'invite' || (c.version.knockJoinRule && joinRule === 'knock')) {
    return wasInvitedOrJoined ? ALLOWED : deny(`join rule is ${joinRule} and user is not invited`);
  }
  if (
    (c.version.restrictedJoinRule && joinRule === 'restricted') ||
    (c.version.knockRestrictedJoinRule && joinRule === 'knock_restricted')
  ) {
    if (wasInvitedOrJoined) return ALLOWED;
    return checkAuthorisingUser(c);
  }
  if (joinRule === 'public') return ALLOWED;
  return deny(`join rule ${JSON.stringify(joinRule)} does not allow joining`);
}

// The spec's "current join_rule" when the room has none is unstated; Synapse and
// gomatrixserverlib treat it as invite (ruma refuses every non-creator join), and agreeing with
// the majority keeps state resolution converging.
function joinRuleOf(state: StateLookup): unknown {
  const event = state('m.room.join_rules', '');
  return event ? contentOf(event.pdu).join_rule : 'invite';
}

function checkAuthorisingUser(c: MemberContext): AuthResult {
  const authoriser = stringField(contentOf(c.event.pdu), 'join_authorised_via_users_server');
  if (authoriser === undefined) {
    return deny('restricted join needs an invite or join_authorised_via_users_server');
  }
  if (membershipOf(c.state, authoriser) !== 'join') {
    return deny(`authorising user ${authoriser} is not joined`);
  }
  const powerLevels = c.state('m.room.power_levels', '')?.pdu;
  const level = getUserPowerLevel(c.version, c.create.pdu, powerLevels, authoriser);
  if (level < getNamedLevel(c.version, powerLevels, 'invite')) {
    return deny(`authorising user ${authoriser} cannot invite`);
  }
  return ALLOWED;
}

function checkInvite(c: MemberContext): AuthResult {
  if (Object.hasOwn(contentOf(c.event.pdu), 'third_party_invite')) {
    return checkThirdPartyInvite(c.event, c.target, c.state, c.options);
  }
  if (membershipOf(c.state, c.sender) !== 'join') return deny('inviter is not joined');
  const targetMembership = membershipOf(c.state, c.target);
  if (targetMembership === 'join' || targetMembership === 'ban') {
    return deny(`cannot invite a user whose membership is ${targetMembership}`);
  }
  const levels = powerOf(c);
  return levels.sender >= levels.named('invite') ? ALLOWED : deny('sender cannot invite');
}

function checkLeave(c: MemberContext): AuthResult {
  const senderMembership = membershipOf(c.state, c.sender);
  if (c.sender === c.target) {
    const canLeave =
      senderMembership === 'invite' ||
      senderMembership === 'join' ||
      (c.version.knockJoinRule && senderMembership === 'knock');
    return canLeave ? ALLOWED : deny(`cannot leave with membership ${senderMembership ?? 'none'}`);
  }
  if (senderMembership !== 'join') return deny('sender is not joined');
  const levels = powerOf(c);
  if (membershipOf(c.state, c.target) === 'ban' && levels.sender < levels.named('ban')) {
    return deny('sender cannot unban');
  }
  if (levels.sender >= levels.named('kick') && levels.target < levels.sender) return ALLOWED;
  return deny('sender cannot kick this user');
}

function checkBan(c: MemberContext): AuthResult {
  if (membershipOf(c.state, c.sender) !== 'join') return deny('sender is not joined');
  const levels = powerOf(c);
  if (levels.sender >= levels.named('ban') && levels.target < levels.sender) return ALLOWED;
  return deny('sender cannot ban this user');
}

function checkKnock(c: MemberContext): AuthResult {
  const joinRule = joinRuleOf(c.state);
  const knockable =
    joinRule === 'knock' || (c.version.knockRestrictedJoinRule && joinRule === 'knock_restricted');
  if (!knockable) return deny(`join rule ${JSON.stringify(joinRule)} does not allow knocking`);
  if (c.sender !== c.target) return deny('cannot knock on behalf of another user');
  const membership = membershipOf(c.state, c.sender);
  if (membership === 'ban' || membership === 'invite' || membership === 'join') {
    return deny(`cannot knock with membership ${membership}`);
  }
  return ALLOWED;
}

function powerOf(c: MemberContext) {
  const powerLevels = c.state('m.room.power_levels', '')?.pdu;
  return {
    sender: getUserPowerLevel(c.version, c.create.pdu, powerLevels, c.sender),
    target: getUserPowerLevel(c.version, c.create.pdu, powerLevels, c.target),
    named: (field: 'invite' | 'kick' | 'ban') => getNamedLevel(c.version, powerLevels, field),
  };
}

function hasSignatureFrom(event: EventWithId, serverName: string): boolean {
  const signatures = event.pdu.signatures;
  const own = signatures && typeof signatures === 'object' ? signatures[serverName] : undefined;
  return !!own && typeof own === 'object' && Object.keys(own).length > 0;
}
