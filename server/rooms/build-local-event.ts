// Builds, hashes and signs an event this server sends. Pure: every input is passed in.
// Content that cannot be an event is 400 M_BAD_JSON.
// https://spec.matrix.org/latest/server-server-api/#pdus

import { CanonicalJsonError } from '../core/canonical-json.ts';
import { withEventId } from '../core/event-id.ts';
import type { EventWithId, JsonObject, Pdu } from '../core/pdu.ts';
import type { RoomVersion } from '../core/room-versions.ts';
import { type EventSigner, hashAndSignEvent } from '../core/sign-event.ts';
import { MatrixError } from '../http/matrix-error.ts';

export interface LocalEventTemplate {
  readonly type: string;
  readonly stateKey?: string | undefined;
  readonly sender: string;
  readonly content: JsonObject;
  /** v11+: redactions carry `redacts` in content; before v11, at the top level as well. */
  readonly redacts?: string | undefined;
}

export interface EventPlacement {
  /** Absent for the create event of a room version 12 room. */
  readonly roomId: string | undefined;
  readonly prevEvents: readonly string[];
  readonly authEvents: readonly string[];
  readonly depth: number;
  readonly originServerTs: number;
}

export function buildLocalEvent(
  version: RoomVersion,
  template: LocalEventTemplate,
  placement: EventPlacement,
  signer: EventSigner,
): EventWithId {
  const pdu: Pdu = {
    ...(placement.roomId === undefined ? {} : { room_id: placement.roomId }),
    type: template.type,
    ...(template.stateKey === undefined ? {} : { state_key: template.stateKey }),
    sender: template.sender,
    content: template.content,
    origin_server_ts: placement.originServerTs,
    depth: placement.depth,
    prev_events: [...placement.prevEvents],
    auth_events: [...placement.authEvents],
    hashes: {},
    signatures: {},
  };
  if (template.redacts !== undefined && !version.redactsInContent) pdu.redacts = template.redacts;
  try {
    return withEventId(version, hashAndSignEvent(version, pdu, signer));
  } catch (err) {
    // Content canonical JSON cannot encode (a float, an integer beyond 2^53) can never make an
    // event: the client that sent it made a malformed request.
    if (err instanceof CanonicalJsonError) {
      throw new MatrixError(400, 'M_BAD_JSON', `Content is not canonical JSON: ${err.message}`);
    }
    throw err;
  }
}
