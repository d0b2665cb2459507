// Reading power levels: values, defaults and creators, as the auth rules, state resolution (sorting
// by sender power) and the client API all need them.
// https://spec.matrix.org/latest/client-server-api/#mroompower_levels

import type { JsonValue, Pdu } from '../pdu.ts';
import type { RoomVersion } from '../room-versions.ts';
import { contentOf, objectField } from './pdu-fields.ts';
import { primaryCreator, privilegedCreators } from './room-creators.ts';

/** v12 creators outrank every number, so comparisons need no special case. */
export const CREATOR_POWER_LEVEL = Number.POSITIVE_INFINITY;

export const POWER_LEVEL_FIELDS = [
  'users_default',
  'events_default',
  'state_default',
  'ban',
  'redact',
  'kick',
  'invite',
] as const;
export type PowerLevelField = (typeof POWER_LEVEL_FIELDS)[number];

/** The spec's defaults, which apply both to absent keys and to a room without power levels. */
export const POWER_LEVEL_DEFAULTS: Readonly<Record<PowerLevelField, number>> = {
  users_default: 0,
  events_default: 0,
  state_default: 50,
  ban: 50,
  redact: 50,
  kick: 50,
  invite: 0,
};

const STRINGY_INTEGER = /^[+-]?[0-9]+$/;

/**
 * One power level value as an integer, or undefined when the room version does not accept it.
 * v10+: integers only. v6 to v9 also take integer strings ("+050 " is 50). v1 to v5 also take
 * floats, truncated toward zero.
 */
export function parsePowerLevel(
  version: RoomVersion,
  value: JsonValue | undefined,
): number | undefined {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return value;
    if (version.strictCanonicalJson || !Number.isFinite(value)) return undefined;
    return Math.trunc(value);
  }
  if (typeof value === 'string' && !version.integerOnlyPowerLevels) {
    const trimmed = value.trim();
    if (!STRINGY_INTEGER.test(trimmed)) return undefined;
    const parsed = Number.parseInt(trimmed, 10);
    return Number.isSafeInteger(parsed) ? parsed : undefined;
  }
  return undefined;
}

/** `invite`, `kick`, `ban`, `redact` and the defaults; a value the version does not accept counts as absent. */
export function getNamedLevel(
  version: RoomVersion,
  powerLevels: Pdu | undefined,
  field: PowerLevelField,
): number {
  const value = powerLevels ? parsePowerLevel(version, contentOf(powerLevels)[field]) : undefined;
  return value ?? POWER_LEVEL_DEFAULTS[field];
}

/**
 * A user's power level. v12 creators are infinitely powerful whatever the power levels say.
 * Without a power levels event, the creator has 100 before v12 and everyone else 0.
 */
export function getUserPowerLevel(
  version: RoomVersion,
  create: Pdu | undefined,
  powerLevels: Pdu | undefined,
  userId: string,
): number {
  if (privilegedCreators(version, create).has(userId)) return CREATOR_POWER_LEVEL;
  if (!powerLevels) {
    if (!version.privilegedCreators && create && primaryCreator(version, create) === userId) {
      return 100;
    }
    return 0;
  }
  const users = objectField(contentOf(powerLevels), 'users');
  const own =
    users && Object.hasOwn(users, userId) ? parsePowerLevel(version, users[userId]) : undefined;
  return own ?? getNamedLevel(version, powerLevels, 'users_default');
}

/** The spec's "required power level" for sending an event of this type (state or not). */
export function getRequiredEventLevel(
  version: RoomVersion,
  powerLevels: Pdu | undefined,
  type: string,
  isState: boolean,
): number {
  const events = powerLevels ? objectField(contentOf(powerLevels), 'events') : undefined;
  const own =
    events && Object.hasOwn(events, type) ? parsePowerLevel(version, events[type]) : undefined;
  return own ?? getNamedLevel(version, powerLevels, isState ? 'state_default' : 'events_default');
}

/** Level needed to trigger a notification (`room` for @room); 50 unless set. */
export function getNotificationLevel(
  version: RoomVersion,
  powerLevels: Pdu | undefined,
  key: string,
): number {
  const notifications = powerLevels
    ? objectField(contentOf(powerLevels), 'notifications')
    : undefined;
  const own =
    notifications && Object.hasOwn(notifications, key)
      ? parsePowerLevel(version, notifications[key])
      : undefined;
  return own ?? 50;
}
