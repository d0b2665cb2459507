// The client format of an event (ClientEvent in the spec): what clients see of a PDU.
// https://spec.matrix.org/latest/client-server-api/#room-event-format
// A redacted event is shown as the room version's redaction algorithm leaves it, with the
// redaction under `unsigned.redacted_because`; bundled aggregations go under
// `unsigned["m.relations"]`. Use serveEvents (serve-events.ts) to have both filled in.
import type { JsonObject } from '../core/pdu.ts';
import { redactEvent } from '../core/redaction.ts';
import type { RoomVersion } from '../core/room-versions.ts';
import type { StoredEvent } from '../storage/events.ts';

export interface ClientEventExtras {
  /** Set when the event is redacted: the room's version and the redaction in client format. */
  readonly redaction?: { readonly version: RoomVersion; readonly because: JsonObject };
  /** Bundled aggregations, keyed by rel_type. */
  readonly relations?: JsonObject;
}

export function toClientEvent(
  event: StoredEvent,
  now: number,
  extras: ClientEventExtras = {},
): JsonObject {
  const pdu = extras.redaction ? redactEvent(extras.redaction.version, event.pdu) : event.pdu;
  const unsigned: JsonObject = { age: Math.max(0, now - pdu.origin_server_ts) };
  if (extras.redaction) unsigned.redacted_because = extras.redaction.because;
  if (extras.relations && Object.keys(extras.relations).length > 0) {
    unsigned['m.relations'] = extras.relations;
  }
  const client: JsonObject = {
    event_id: event.eventId,
    room_id: event.roomId,
    type: pdu.type,
    sender: pdu.sender,
    content: pdu.content,
    origin_server_ts: pdu.origin_server_ts,
    unsigned,
  };
  if (typeof pdu.state_key === 'string') client.state_key = pdu.state_key;
  if (typeof pdu.redacts === 'string') client.redacts = pdu.redacts;
  return client;
}
