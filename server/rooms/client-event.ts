// The client format of an event (ClientEvent in the spec): what clients see of a PDU.
// https://spec.matrix.org/latest/client-server-api/#room-event-format
import type { JsonObject } from '../core/pdu.ts';
import type { StoredEvent } from '../storage/events.ts';

export function toClientEvent(event: StoredEvent, now: number): JsonObject {
  const { pdu } = event;
  const client: JsonObject = {
    event_id: event.eventId,
    room_id: event.roomId,
    type: pdu.type,
    sender: pdu.sender,
    content: pdu.content,
    origin_server_ts: pdu.origin_server_ts,
    unsigned: { age: Math.max(0, now - pdu.origin_server_ts) },
  };
  if (typeof pdu.state_key === 'string') client.state_key = pdu.state_key;
  if (typeof pdu.redacts === 'string') client.redacts = pdu.redacts;
  return client;
}
