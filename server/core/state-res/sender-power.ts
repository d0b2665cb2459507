// The power level of an event's sender "when looking at their respective auth_events", which
// the reverse topological power ordering sorts by. Only the event's own auth events count, not
// any resolved state: that is what makes the ordering the same on every server.

import { getUserPowerLevel } from '../auth-rules/power-levels.ts';
import type { EventWithId } from '../pdu.ts';
import type { RoomVersion } from '../room-versions.ts';

export function senderPowerLevel(
  version: RoomVersion,
  event: EventWithId,
  authEvents: readonly EventWithId[],
): number {
  let powerLevels: EventWithId | undefined;
  let create: EventWithId | undefined;
  for (const authEvent of authEvents) {
    if (authEvent.pdu.state_key !== '') continue;
    if (authEvent.pdu.type === 'm.room.power_levels') powerLevels = authEvent;
    else if (authEvent.pdu.type === 'm.room.create') create = authEvent;
  }
  // v12 creators come out infinite; without power levels the creator has 100 before v12.
  return getUserPowerLevel(version, create?.pdu, powerLevels?.pdu, event.pdu.sender);
}
