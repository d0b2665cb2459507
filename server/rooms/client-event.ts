// The client format of an event (ClientEvent in the spec): what clients see of a PDU.
// https://spec.matrix.org/latest/client-server-api/#room-event-format
// A redacted event is shown as the room version's redaction algorithm leaves it, with the
// redaction under `unsigned.redacted_because`; bundled aggregations go under
// `unsigned["m.relations"]`; a state event that replaced another gets `unsigned.replaces_state`,
// `prev_content` and `prev_sender`; the reader's membership at the event is
// `unsigned.membership`, and the sending device sees its `unsigned.transaction_id`. Use
// serveEvents (serve-events.ts) to have these filled in.
import type { JsonObject } from '../core/pdu.ts';
import { redactEvent } from '../core/redaction.ts';
import type { RoomVersion } from '../core/room-versions.ts';
import type { StoredEvent } from '../storage/events.ts';

export interface ClientEventExtras {
  /** Set when the event is redacted: the room's version and the redaction in client format. */
  readonly redaction?: { readonly version: RoomVersion; readonly because: JsonObject };
  /** Bundled aggregations, keyed by rel_type. */
  readonly relations?: JsonObject;
  /** For a state event that replaced another: that event, as the reader is served it. */
  readonly previous?: PreviousState | undefined;
  /** The reader's membership at the event (`unsigned.membership`). */
  readonly membership?: string | undefined;
  /** The client's transaction id, for the device that sent the event. */
  readonly transactionId?: string | undefined;
}

/** The state event an event replaced: `unsigned.replaces_state`, `prev_content`, `prev_sender`. */
export interface PreviousState {
  readonly eventId: string;
  /** Its content, redacted if it was redacted. */
  readonly content: JsonObject;
  readonly sender: string;
}

export function toClientEvent(
  event: StoredEvent,
  now: number,
  extras: ClientEventExtras = {},
): JsonObject {
  const pdu = extras.redaction ? redactEvent(extras.redaction.version, event.pdu) : event.pdu;
  const unsigned: JsonObject = { age: Math.max(0, now - pdu.origin_server_ts) };
  if (extras.redaction) unsigned.redacted_because = extras.redaction.because;
  if (extras.previous) {
    unsigned.replaces_state = extras.previous.eventId;
    unsigned.prev_content = extras.previous.content;
    unsigned.prev_sender = extras.previous.sender;
  }
  if (extras.membership !== undefined) unsigned.membership = extras.membership;
  if (extras.transactionId !== undefined) unsigned.transaction_id = extras.transactionId;
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
  if (pdu.type === 'm.room.redaction') Object.assign(client, redactsBothPlaces(pdu));
  else if (typeof pdu.redacts === 'string') client.redacts = pdu.redacts;
  return client;
}

/**
 * A redaction names its target at the top level before room version 11 and in `content` from
 * v11. Clients are served both, as the v11 spec recommends for compatibility: clients written for
 * either place (matrix-js-sdk reads the top level) find it.
 */
function redactsBothPlaces(pdu: JsonObject): JsonObject {
  const content = pdu.content as JsonObject;
  const target = typeof pdu.redacts === 'string' ? pdu.redacts : content.redacts;
  if (typeof target !== 'string') return {};
  return { redacts: target, content: { ...content, redacts: target } };
}
