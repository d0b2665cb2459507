// Power events are the state events that can take a right away from someone; state resolution
// replays them first, in auth-DAG order, before anything they could have forbidden.

import type { Pdu } from '../pdu.ts';
import { isJsonObject } from '../pdu.ts';

export function isPowerEvent(pdu: Pdu): boolean {
  if (pdu.state_key === undefined) return false;
  if (pdu.state_key === '') {
    // The create event is not in the spec's list, but Synapse and ruma both count it, and it
    // only matters for a forged second create event: agreeing with them keeps rooms converging.
    return (
      pdu.type === 'm.room.power_levels' ||
      pdu.type === 'm.room.join_rules' ||
      pdu.type === 'm.room.create'
    );
  }
  if (pdu.type !== 'm.room.member' || pdu.sender === pdu.state_key) return false;
  const membership = isJsonObject(pdu.content) ? pdu.content.membership : undefined;
  return membership === 'leave' || membership === 'ban';
}
