// The state keys the authorisation rules can consult for an event: the create event, which the
// rules always read (in room version 12 without it being listed), and the keys of the auth events
// selection. Iterative auth checks are synchronous, so these entries are fetched before they run.

import { authEventPairs } from '../auth-rules/select-auth-events.ts';
import type { Pdu } from '../pdu.ts';
import { isJsonObject } from '../pdu.ts';
import type { RoomVersion } from '../room-versions.ts';
import { type StateKey, stateKey } from '../state-map.ts';

export function authStateKeys(version: RoomVersion, pdu: Pdu): StateKey[] {
  const pairs = authEventPairs(version, {
    type: pdu.type,
    stateKey: typeof pdu.state_key === 'string' ? pdu.state_key : undefined,
    sender: pdu.sender,
    content: isJsonObject(pdu.content) ? pdu.content : {},
  });
  const keys = pairs.map(([type, key]) => stateKey(type, key));
  const create = stateKey('m.room.create', '');
  if (!keys.includes(create)) keys.push(create);
  return keys;
}
