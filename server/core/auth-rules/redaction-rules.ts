// Redactions: which event a redaction names, and whether it may take effect. From room version 3
// the auth rules treat m.room.redaction like any event (only its required power level counts);
// whether the redaction is applied is decided separately, once both events are known.
// https://spec.matrix.org/latest/rooms/v11/#handling-redactions

import type { EventWithId, Pdu } from '../pdu.ts';
import type { RoomVersion } from '../room-versions.ts';
import { ALLOWED, type AuthResult, deny } from './auth-types.ts';
import { serverNameOf } from './identifiers.ts';
import { contentOf, stringField } from './pdu-fields.ts';
import { getNamedLevel, getUserPowerLevel } from './power-levels.ts';

/** The redacted event's id: in `content.redacts` from v11, top-level before. */
export function redactedEventId(version: RoomVersion, pdu: Pdu): string | undefined {
  if (version.redactsInContent) return stringField(contentOf(pdu), 'redacts');
  return typeof pdu.redacts === 'string' ? pdu.redacts : undefined;
}

/**
 * Whether a valid redaction takes effect on `original` (v3 and later): its sender reaches the
 * redact level, or is on the same server as the original's sender. `create` and `powerLevels`
 * are the state before the redaction.
 */
export function mayApplyRedaction(
  version: RoomVersion,
  redaction: Pdu,
  original: Pdu,
  create: Pdu | undefined,
  powerLevels: Pdu | undefined,
): boolean {
  const level = getUserPowerLevel(version, create, powerLevels, redaction.sender);
  if (level >= getNamedLevel(version, powerLevels, 'redact')) return true;
  const server = serverNameOf(redaction.sender);
  return server !== undefined && server === serverNameOf(original.sender);
}

/**
 * The redaction auth rule of room versions 1 and 2, the only ones whose event ids carry a server
 * name: allowed at the redact level, or when both event ids come from the same server.
 */
export function checkLegacyRedaction(
  version: RoomVersion,
  event: EventWithId,
  senderLevel: number,
  powerLevels: Pdu | undefined,
): AuthResult {
  if (senderLevel >= getNamedLevel(version, powerLevels, 'redact')) return ALLOWED;
  const redacts = redactedEventId(version, event.pdu);
  const server = serverNameOf(event.eventId);
  if (server !== undefined && server === serverNameOf(redacts)) return ALLOWED;
  return deny('sender cannot redact events of other servers');
}
