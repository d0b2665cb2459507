// PUT /_matrix/federation/v2/invite/{roomId}/{eventId}
// https://spec.matrix.org/latest/server-server-api/#put_matrixfederationv2inviteroomideventid
// Another server invites one of our users: the event must be an invite of a user of ours, sent by
// a user of the asking server and signed by it, in a room version we support. We countersign it
// and, when we are not in the room, keep it (with the stripped state it came with) so the
// invitee's /sync shows it; when we are, it arrives again through /send like any event.
import { serverNameOf } from '../../server/core/auth-rules/identifiers.ts';
import { CanonicalJsonError } from '../../server/core/canonical-json.ts';
import { computeEventId, EventIdError } from '../../server/core/event-id.ts';
import { isJsonObject, type JsonObject, type Pdu } from '../../server/core/pdu.ts';
import { getRoomVersion, SUPPORTED_ROOM_VERSIONS } from '../../server/core/room-versions.ts';
import { countersignEvent } from '../../server/core/sign-event.ts';
import { defineEndpoint } from '../../server/http/endpoint.ts';
import { badJson, forbidden, MatrixError } from '../../server/http/matrix-error.ts';
import { eventSignerOf } from '../../server/rooms/room-deps.ts';
import { getUserById } from '../../server/storage/users.ts';
import type { FederationContext } from '../federation-context.ts';
import { checkPduOnReceipt } from '../rooms/check-pdu-on-receipt.ts';
import { storeRemoteInvite } from '../rooms/store-remote-invite.ts';
import { federationOriginOf } from '../transport/verify-request.ts';

interface Params {
  roomId: string;
  eventId: string;
}
interface Body {
  room_version?: unknown;
  event?: unknown;
  invite_room_state?: unknown;
}

export const receiveInvite = defineEndpoint<FederationContext, Body, unknown, Params>({
  method: 'PUT',
  path: '/_matrix/federation/v2/invite/:roomId/:eventId',
  schema: {
    body: {
      type: 'object',
      required: ['room_version', 'event'],
      properties: {
        room_version: { type: 'string' },
        event: { type: 'object' },
        invite_room_state: { type: 'array' },
      },
    },
  },
  handler: async (ctx, request) => {
    const origin = federationOriginOf(request);
    const { roomId, eventId } = request.params;
    const versionId = String(request.body.room_version);
    const version = getRoomVersion(versionId);
    if (!version || !SUPPORTED_ROOM_VERSIONS.includes(versionId)) {
      throw new MatrixError(
        400,
        'M_INCOMPATIBLE_ROOM_VERSION',
        `Room version ${versionId} is not supported here`,
        { room_version: versionId },
      );
    }
    const pdu = request.body.event as Pdu;
    const content: JsonObject = isJsonObject(pdu.content) ? pdu.content : {};
    if (pdu.type !== 'm.room.member' || content.membership !== 'invite') {
      throw badJson('The event must be an m.room.member invite');
    }
    if (pdu.room_id !== roomId) throw badJson('The event is for another room');
    if (typeof pdu.sender !== 'string' || serverNameOf(pdu.sender) !== origin) {
      throw forbidden(`The inviter is not a user of ${origin}`);
    }
    const invitee = typeof pdu.state_key === 'string' ? pdu.state_key : '';
    if (serverNameOf(invitee) !== ctx.config.serverName) {
      throw forbidden(`${invitee} is not a user of this server`);
    }
    const user = await getUserById(ctx.db, invitee);
    if (!user || user.isDeactivated)
      throw new MatrixError(404, 'M_NOT_FOUND', `No user ${invitee}`);
    try {
      if (computeEventId(version, pdu) !== eventId) throw badJson('The event id does not match');
    } catch (err) {
      // No canonical JSON (a float, a lone surrogate): no id, a bad event rather than a 500.
      if (err instanceof EventIdError || err instanceof CanonicalJsonError) {
        throw badJson(err.message);
      }
      throw err;
    }
    const check = await checkPduOnReceipt(version, pdu, ctx.federation.serverKeys);
    if (!check.ok) throw forbidden(`The invite does not verify: ${check.reason}`);
    if (check.redactedForHash) throw forbidden('The invite does not match its content hash');

    const signed = countersignEvent(version, check.event.pdu, eventSignerOf(ctx));
    const stripped = Array.isArray(request.body.invite_room_state)
      ? request.body.invite_room_state.filter(isJsonObject)
      : [];
    await storeRemoteInvite(ctx, version, { eventId, pdu: signed }, stripped);
    // The full event back, `unsigned` included (the invite_room_state it carries, if any).
    return {
      event: { ...signed, ...(isJsonObject(pdu.unsigned) ? { unsigned: pdu.unsigned } : {}) },
    };
  },
});
