// An invite of a user of another server must carry that server's signature: before the invite
// is stored, it goes to the invitee's server (PUT /_matrix/federation/v2/invite), with the room's
// stripped state so the invitee can see what the room is, and comes back countersigned. The
// returned event must be ours with one more signature, valid for the invitee's server.
// https://spec.matrix.org/latest/server-server-api/#put_matrixfederationv2inviteroomideventid
import type { Kysely } from 'kysely';
import { computeEventId } from '../../server/core/event-id.ts';
import { type EventWithId, isJsonObject, type Pdu } from '../../server/core/pdu.ts';
import type { RoomVersion } from '../../server/core/room-versions.ts';
import { forbidden, MatrixError } from '../../server/http/matrix-error.ts';
import { serverNameOfUser } from '../../server/storage/room-servers.ts';
import type { Database } from '../../server/storage/schema.ts';
import { currentStrippedState } from '../../server/sync/stripped-state.ts';
import type { ServerKeyStore } from '../keys/remote-keys.ts';
import { type FederationClient, FederationHttpError } from '../transport/federation-client.ts';
import { checkServerSignature } from './check-pdu-on-receipt.ts';

export type InviteExchange = (version: RoomVersion, invite: EventWithId) => Promise<EventWithId>;

export function inviteExchanger(deps: {
  readonly db: Kysely<Database>;
  readonly client: FederationClient;
  readonly serverKeys: Pick<ServerKeyStore, 'getVerifyKey'>;
}): InviteExchange {
  return async (version, invite) => {
    const { pdu } = invite;
    const roomId = String(pdu.room_id);
    const invitee = String(pdu.state_key);
    const server = serverNameOfUser(invitee);
    let body: unknown;
    try {
      body = (
        await deps.client.request(server, {
          method: 'PUT',
          path: `/_matrix/federation/v2/invite/${encodeURIComponent(roomId)}/${encodeURIComponent(invite.eventId)}`,
          body: {
            room_version: version.id,
            event: pdu,
            invite_room_state: await currentStrippedState(deps.db, roomId, pdu.sender),
          },
        })
      ).body;
    } catch (err) {
      if (err instanceof FederationHttpError && err.status >= 400 && err.status < 500) {
        throw forbidden(`${server} refused the invite (${err.status} ${err.errcode ?? ''})`);
      }
      throw new MatrixError(502, 'M_UNKNOWN', `Could not reach ${server} to invite ${invitee}`);
    }
    const returned =
      isJsonObject(body) && isJsonObject(body.event) ? (body.event as Pdu) : undefined;
    if (!returned || computeEventId(version, returned) !== invite.eventId) {
      throw new MatrixError(502, 'M_UNKNOWN', `${server} returned another event for the invite`);
    }
    const refusal = await checkServerSignature(version, returned, server, deps.serverKeys);
    if (refusal)
      throw new MatrixError(502, 'M_UNKNOWN', `${server}'s invite signature: ${refusal}`);
    return { eventId: invite.eventId, pdu: returned };
  };
}
