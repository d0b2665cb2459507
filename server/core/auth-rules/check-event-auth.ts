// The authorization rules, in the spec's order, for an event against a given room state.
// https://spec.matrix.org/latest/rooms/v12/#authorization-rules (v10, v11 likewise)
//
// The checks on the auth_events list itself (v12 rules 2 and 3, rule 2 before) do not depend on
// state and live in check-auth-events.ts; checkEventAgainstAuthEvents runs both, as done on
// receipt of a PDU. Against the state before an event or the current state, checkEventAuth alone
// is needed.

import type { EventWithId } from '../pdu.ts';
import type { RoomVersion } from '../room-versions.ts';
import {
  ALLOWED,
  type AuthOptions,
  type AuthResult,
  deny,
  type StateLookup,
} from './auth-types.ts';
import { checkAuthEvents } from './check-auth-events.ts';
import { checkCreateEvent } from './create-rules.ts';
import { serverNameOf } from './identifiers.ts';
import { checkMemberEvent } from './member-rules.ts';
import { contentOf, membershipOf, referencedIds, stateKeyOf } from './pdu-fields.ts';
import { getNamedLevel, getRequiredEventLevel, getUserPowerLevel } from './power-levels.ts';
import { checkPowerLevelsEvent } from './power-levels-rules.ts';
import { checkLegacyRedaction } from './redaction-rules.ts';
import { createEventIdForRoom, roomIdForCreateEvent } from './room-creators.ts';
import { lookupFromEvents } from './state-lookup.ts';

export function checkEventAuth(
  version: RoomVersion,
  event: EventWithId,
  state: StateLookup,
  options: AuthOptions = {},
): AuthResult {
  const { pdu } = event;
  // The format check refuses these first; the rules also stand alone (a non-string sender would
  // otherwise become a state key).
  if (typeof pdu.sender !== 'string' || typeof pdu.type !== 'string') {
    return deny('the event has no string sender or type');
  }
  if (pdu.type === 'm.room.create') return checkCreateEvent(version, event);

  const create = state('m.room.create', '');
  if (!create) return deny('the room state has no m.room.create event');
  if (version.roomIdFromCreateEvent) {
    if (pdu.room_id !== roomIdForCreateEvent(create.eventId)) {
      return deny('room_id does not name the m.room.create event');
    }
    if (options.isRejected?.(create.eventId)) return deny('the m.room.create event was rejected');
  }

  if (
    contentOf(create.pdu)['m.federate'] === false &&
    serverNameOf(pdu.sender) !== serverNameOf(create.pdu.sender)
  ) {
    return deny('the room does not federate and the sender is on another server');
  }

  // Room versions 1 to 5 only.
  if (version.specialCasedAliasesAuth && pdu.type === 'm.room.aliases') {
    const stateKey = stateKeyOf(pdu);
    if (stateKey === undefined || stateKey !== serverNameOf(pdu.sender)) {
      return deny("m.room.aliases state_key must be the sender's server");
    }
    return ALLOWED;
  }

  if (pdu.type === 'm.room.member') return checkMemberEvent(version, event, state, create, options);

  if (membershipOf(state, pdu.sender) !== 'join') return deny(`${pdu.sender} is not joined`);

  const powerLevels = state('m.room.power_levels', '')?.pdu;
  const senderLevel = getUserPowerLevel(version, create.pdu, powerLevels, pdu.sender);
  if (pdu.type === 'm.room.third_party_invite') {
    return senderLevel >= getNamedLevel(version, powerLevels, 'invite')
      ? ALLOWED
      : deny('sender cannot invite');
  }

  const stateKey = stateKeyOf(pdu);
  const required = getRequiredEventLevel(version, powerLevels, pdu.type, stateKey !== undefined);
  if (required > senderLevel) {
    return deny(`sending ${pdu.type} needs power level ${required}, sender has ${senderLevel}`);
  }
  if (stateKey?.startsWith('@') && stateKey !== pdu.sender) {
    return deny("a state_key starting with @ must be the sender's own user id");
  }
  if (pdu.type === 'm.room.power_levels') {
    return checkPowerLevelsEvent(version, event, powerLevels, create.pdu, senderLevel);
  }
  // From v3 a redaction is checked when it is applied instead (redaction-rules.ts).
  if (pdu.type === 'm.room.redaction' && version.eventIdFormat === 'server-assigned') {
    return checkLegacyRedaction(version, event, senderLevel, powerLevels);
  }
  return ALLOWED;
}

/**
 * The checks on receipt of a PDU "based on the event's auth events": the auth_events list, then
 * every rule against the state those auth events make up (plus the create event in v12).
 */
export function checkEventAgainstAuthEvents(
  version: RoomVersion,
  event: EventWithId,
  fetchEvent: (eventId: string) => EventWithId | undefined,
  options: AuthOptions = {},
): AuthResult {
  if (event.pdu.type === 'm.room.create') return checkCreateEvent(version, event);
  const listed = checkAuthEvents(version, event, fetchEvent, options);
  if (!listed.allowed) return listed;
  const authEvents = referencedIds(event.pdu.auth_events).map(fetchEvent);
  if (version.roomIdFromCreateEvent && typeof event.pdu.room_id === 'string') {
    authEvents.push(fetchEvent(createEventIdForRoom(event.pdu.room_id)));
  }
  return checkEventAuth(
    version,
    event,
    lookupFromEvents(authEvents.filter((e) => e !== undefined)),
    options,
  );
}
