// send_join, send_leave and send_knock: the remote server sends back the member event it built
// from our template and signed. It must be that member event, for that room and event id, for a
// user of the sending server; a join that names one of our users as authoriser gets our
// signature; then it goes through the same receipt pipeline as any PDU.
import { serverNameOf } from '../../server/core/auth-rules/identifiers.ts';
import { CanonicalJsonError } from '../../server/core/canonical-json.ts';
import { computeEventId, EventIdError } from '../../server/core/event-id.ts';
import { type EventWithId, isJsonObject, type Pdu } from '../../server/core/pdu.ts';
import type { RoomVersion } from '../../server/core/room-versions.ts';
import { countersignEvent } from '../../server/core/sign-event.ts';
import { badJson, forbidden, notFound } from '../../server/http/matrix-error.ts';
import { eventSignerOf, roomDepsOf } from '../../server/rooms/room-deps.ts';
import { getEvent, loadRoomVersion } from '../../server/storage/events.ts';
import type { FederationContext } from '../federation-context.ts';
import { receivePdus } from './receive-pdu.ts';
import { remoteHistoryOf } from './remote-history.ts';

export interface MembershipPdu {
  readonly roomId: string;
  readonly eventId: string;
  readonly origin: string;
  readonly membership: 'join' | 'leave' | 'knock';
  readonly raw: unknown;
}

export async function acceptMembershipPdu(
  ctx: FederationContext,
  request: MembershipPdu,
): Promise<{ event: EventWithId; version: RoomVersion }> {
  const { roomId, origin, membership } = request;
  const version = await loadRoomVersion(ctx.db, roomId);
  if (!version) throw notFound(`Unknown room ${roomId}`);
  const raw = request.raw;
  if (!isJsonObject(raw)) throw badJson('The body must be the signed member event');
  let pdu = raw as Pdu;
  const content = isJsonObject(pdu.content) ? pdu.content : {};
  if (
    pdu.type !== 'm.room.member' ||
    typeof pdu.sender !== 'string' ||
    pdu.state_key !== pdu.sender ||
    content.membership !== membership
  ) {
    throw badJson(`The event must be the sender's own ${membership} member event`);
  }
  if (pdu.room_id !== roomId) throw badJson('The event is for another room');
  if (serverNameOf(pdu.sender) !== origin) {
    throw forbidden(`${pdu.sender} is not a user of ${origin}`);
  }
  const authoriser = content.join_authorised_via_users_server;
  let eventId: string;
  // An event with no canonical JSON (a float, an integer past 2^53, a lone surrogate) can be
  // neither signed nor given an id: the sender's fault, not ours (it was a 500, found by the
  // federation endpoint fuzzer).
  try {
    if (
      membership === 'join' &&
      typeof authoriser === 'string' &&
      serverNameOf(authoriser) === ctx.config.serverName
    ) {
      pdu = countersignEvent(version, pdu, eventSignerOf(ctx));
    }
    eventId = computeEventId(version, pdu);
  } catch (err) {
    if (err instanceof EventIdError || err instanceof CanonicalJsonError) {
      throw badJson(err.message);
    }
    throw err;
  }
  if (eventId !== request.eventId)
    throw badJson(`The event's id is ${eventId}, not ${request.eventId}`);

  const deps = { ...roomDepsOf(ctx), serverKeys: ctx.federation.serverKeys };
  const [outcome] = await receivePdus(
    deps,
    roomId,
    version,
    [pdu],
    remoteHistoryOf(ctx.federation.client, origin),
  );
  if (!outcome || (outcome.status !== 'accepted' && outcome.status !== 'duplicate')) {
    const reason = outcome && 'reason' in outcome ? outcome.reason : 'it would not be allowed now';
    throw forbidden(`The ${membership} was refused: ${reason}`);
  }
  const stored = await getEvent(ctx.db, eventId);
  // The other servers in the room hear of it from us, as its server is not in the room (yet).
  if (outcome.status === 'accepted' && stored && !stored.outlier && !stored.rejectedReason) {
    await ctx.federation.outbound.relayPdu(roomId, eventId, origin);
  }
  return { event: stored ?? { eventId, pdu }, version };
}
