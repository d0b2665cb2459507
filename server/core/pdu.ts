// A PDU (persistent data unit) is kept as the raw JSON object it arrived as: remote content is
// untrusted and strict typing of it would break on fields we do not know. This type names only
// the top-level keys the rules read; everything is optional because a forged event may lack any.
// https://spec.matrix.org/latest/server-server-api/#pdus

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export type Pdu = JsonObject & {
  /** Present in room versions 1 and 2 only; derived from the reference hash afterwards. */
  event_id?: string;
  /** Absent from the create event in room version 12. */
  room_id?: string;
  sender: string;
  origin_server_ts: number;
  type: string;
  state_key?: string;
  content: JsonObject;
  prev_events: JsonValue[];
  auth_events: JsonValue[];
  depth: number;
  hashes: JsonObject;
  signatures: JsonObject;
  unsigned?: JsonObject;
  /** Top-level in room versions 1 to 10; in content from v11. */
  redacts?: string;
};

/** A PDU together with the id this server computed for it. */
export interface EventWithId {
  readonly eventId: string;
  readonly pdu: Pdu;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
