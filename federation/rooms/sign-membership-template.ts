// The joining (leaving, knocking) side of make_join, make_leave and make_knock: the template the
// room's server built becomes our event. It must be the member event asked for; what the other
// server put in hashes, signatures, unsigned, event_id or origin is dropped; the content is the
// template's with ours added and the membership forced; then it is hashed and signed by us.

import { withEventId } from '../../server/core/event-id.ts';
import type { EventWithId, JsonObject, Pdu } from '../../server/core/pdu.ts';
import { isJsonObject } from '../../server/core/pdu.ts';
import type { RoomVersion } from '../../server/core/room-versions.ts';
import { type EventSigner, hashAndSignEvent } from '../../server/core/sign-event.ts';
import { MatrixError } from '../../server/http/matrix-error.ts';

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
