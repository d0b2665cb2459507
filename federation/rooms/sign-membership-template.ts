// The joining (leaving, knocking) side of make_join, make_leave and make_knock: asking for the
// template (in a room version we support), and making it our event. It must be the member event asked for; what the other
// server put in hashes, signatures, unsigned, event_id or origin is dropped; the content is the
// template's with ours added and the membership forced; then it is hashed and signed by us.

import { withEventId } from '../../server/core/event-id.ts';
import type { EventWithId, JsonObject, Pdu } from '../../server/core/pdu.ts';
import { isJsonObject } from '../../server/core/pdu.ts';
import {
  getRoomVersion,
  type RoomVersion,
  SUPPORTED_ROOM_VERSIONS,
} from '../../server/core/room-versions.ts';
import { type EventSigner, hashAndSignEvent } from '../../server/core/sign-event.ts';
import { MatrixError } from '../../server/http/matrix-error.ts';
import type { FederationClient } from '../transport/federation-client.ts';

/**
 * GET make_join or make_knock from `server`, offering the room versions we support: the room's
 * version and its template, or 400 M_UNSUPPORTED_ROOM_VERSION for an answer we cannot use.
 */
export async function fetchMembershipTemplate(
  client: FederationClient,
  server: string,
  endpoint: 'make_join' | 'make_knock',
  roomId: string,
  userId: string,
): Promise<{ version: RoomVersion; template: JsonObject }> {
  const enc = encodeURIComponent;
  const versions = SUPPORTED_ROOM_VERSIONS.map((v) => `ver=${enc(v)}`).join('&');
  const made = await client.request(server, {
    method: 'GET',
    path: `/_matrix/federation/v1/${endpoint}/${enc(roomId)}/${enc(userId)}?${versions}`,
  });
  const body = isJsonObject(made.body) ? made.body : {};
  const version =
    typeof body.room_version === 'string' ? getRoomVersion(body.room_version) : undefined;
  if (!version || !SUPPORTED_ROOM_VERSIONS.includes(version.id) || !isJsonObject(body.event)) {
    throw new MatrixError(
      400,
      'M_UNSUPPORTED_ROOM_VERSION',
      `Unusable ${endpoint} reply from ${server}`,
    );
  }
  return { version, template: body.event };
}

export interface TemplateFill {
  readonly roomId: string;
  readonly userId: string;
  readonly membership: 'join' | 'leave' | 'knock';
  /** Our own content keys (display name, reason, ...), under the template's. */
  readonly content: JsonObject;
  readonly now: number;
}

export function signMembershipTemplate(
  version: RoomVersion,
  template: unknown,
  fill: TemplateFill,
  signer: EventSigner,
): EventWithId {
  if (!isJsonObject(template)) {
    throw new MatrixError(502, 'M_UNKNOWN', `No ${fill.membership} template was given`);
  }
  const {
    hashes: _hashes,
    signatures: _signatures,
    unsigned: _unsigned,
    event_id: _eventId,
    origin: _origin,
    ...fields
  } = template as Pdu & { origin?: unknown };
  const { userId } = fill;
  if (fields.type !== 'm.room.member' || fields.state_key !== userId || fields.sender !== userId) {
    throw new MatrixError(
      502,
      'M_UNKNOWN',
      `The template is not a ${fill.membership} of ${userId}`,
    );
  }
  const templateContent = isJsonObject(fields.content) ? fields.content : {};
  const pdu = hashAndSignEvent(
    version,
    {
      ...fields,
      room_id: fill.roomId,
      content: { ...fill.content, ...templateContent, membership: fill.membership },
      origin_server_ts: fill.now,
      hashes: {},
      signatures: {},
    },
    signer,
  );
  return withEventId(version, pdu);
}
