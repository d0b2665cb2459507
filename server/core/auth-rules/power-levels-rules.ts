// Rule "type is m.room.power_levels": the new content must be well formed, and nobody may grant,
// revoke or move a level beyond their own.
// https://spec.matrix.org/latest/rooms/v12/#authorization-rules (rule 10; rule 9 before v12)

import {
  type EventWithId,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  type Pdu,
} from '../pdu.ts';
import type { RoomVersion } from '../room-versions.ts';
import { ALLOWED, type AuthResult, deny, denyMalformed } from './auth-types.ts';
import { isValidUserId } from './identifiers.ts';
import { contentOf } from './pdu-fields.ts';
import { POWER_LEVEL_DEFAULTS, POWER_LEVEL_FIELDS, parsePowerLevel } from './power-levels.ts';
import { privilegedCreators } from './room-creators.ts';

export function checkPowerLevelsEvent(
  version: RoomVersion,
  event: EventWithId,
  current: Pdu | undefined,
  create: Pdu,
  senderLevel: number,
): AuthResult {
  const content = contentOf(event.pdu);
  const malformed = findMalformedLevel(version, content);
  if (malformed) return denyMalformed(malformed);
  if (version.privilegedCreators) {
    const users = isJsonObject(content.users) ? content.users : {};
    for (const creator of privilegedCreators(version, create)) {
      if (Object.hasOwn(users, creator))
        return denyMalformed(`creator ${creator} cannot be listed in users`);
    }
  }
  if (!current) return ALLOWED;
  const before = contentOf(current);

  for (const field of POWER_LEVEL_FIELDS) {
    const was = parsePowerLevel(version, before[field]);
    const now = parsePowerLevel(version, content[field]);
    if (was === now) continue;
    // An added or removed key moves the level from or to its default, so the default is what
    // must be within the sender's reach (ruma and gomatrixserverlib read it so; Synapse ignores it).
    if ((was ?? POWER_LEVEL_DEFAULTS[field]) > senderLevel) {
      return deny(`cannot change ${field} from a level above the sender's`);
    }
    if ((now ?? POWER_LEVEL_DEFAULTS[field]) > senderLevel) {
      return deny(`cannot set ${field} above the sender's level`);
    }
  }
  const maps: Array<'events' | 'notifications'> = version.limitNotificationsPowerLevels
    ? ['events', 'notifications']
    : ['events'];
  for (const name of maps) {
    const refusal = checkMapChanges(
      version,
      name,
      before[name],
      content[name],
      senderLevel,
      (_, was) => was > senderLevel,
    );
    if (refusal) return deny(refusal);
  }
  const sender = event.pdu.sender;
  const refusal = checkMapChanges(
    version,
    'users',
    before.users,
    content.users,
    senderLevel,
    (user, was) => user !== sender && was >= senderLevel,
  );
  return refusal ? deny(refusal) : ALLOWED;
}

/** Rules 10.1 to 10.3 (9.1 to 9.3 before v12): types of every level, and user ids as keys. */
function findMalformedLevel(version: RoomVersion, content: JsonObject): string | undefined {
  if (version.integerOnlyPowerLevels) {
    for (const field of POWER_LEVEL_FIELDS) {
      if (Object.hasOwn(content, field) && parsePowerLevel(version, content[field]) === undefined) {
        return `${field} is not an integer`;
      }
    }
    for (const name of ['events', 'notifications'] as const) {
      if (Object.hasOwn(content, name) && !isLevelMap(version, content[name])) {
        return `${name} is not an object of integers`;
      }
    }
  }
  if (Object.hasOwn(content, 'users')) {
    const users = content.users;
    if (!isLevelMap(version, users)) return 'users is not an object of integers';
    for (const user of Object.keys(users as JsonObject)) {
      if (!isValidUserId(user)) return `users has an invalid user id ${JSON.stringify(user)}`;
    }
  }
  return undefined;
}

function isLevelMap(version: RoomVersion, value: JsonValue | undefined): boolean {
  if (!isJsonObject(value)) return false;
  return Object.values(value).every((level) => parsePowerLevel(version, level) !== undefined);
}

/**
 * Changed or removed entries are refused when `refuseOld` says so of the current value (above the
 * sender for events and notifications, at or above for other users). Added or changed entries are
 * refused above the sender.
 */
function checkMapChanges(
  version: RoomVersion,
  name: string,
  beforeValue: JsonValue | undefined,
  afterValue: JsonValue | undefined,
  senderLevel: number,
  refuseOld: (key: string, was: number) => boolean,
): string | undefined {
  const before = isJsonObject(beforeValue) ? beforeValue : {};
  const after = isJsonObject(afterValue) ? afterValue : {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const was = Object.hasOwn(before, key) ? parsePowerLevel(version, before[key]) : undefined;
    const now = Object.hasOwn(after, key) ? parsePowerLevel(version, after[key]) : undefined;
    if (was === now) continue;
    if (was !== undefined && refuseOld(key, was)) {
      return `cannot change ${name}[${JSON.stringify(key)}]: its current level is beyond the sender's`;
    }
    if (now !== undefined && now > senderLevel) {
      return `cannot set ${name}[${JSON.stringify(key)}] above the sender's level`;
    }
  }
  return undefined;
}
