// PUT /_matrix/federation/v1/send/{txnId}
// https://spec.matrix.org/latest/server-server-api/#put_matrixfederationv1sendtxnid
// Each PDU is checked and stored on its own (federation/rooms/receive-pdu.ts), rooms one after
// another and each room's PDUs in depth order; one PDU failing never fails the transaction. The
// answer lists a result per PDU: {} when accepted (soft-failed included, as the spec's results
// carry no such distinction), {error} otherwise. EDUs follow once the PDUs are in.
import {
  type TransactionBody,
  type TransactionParams,
  transactionBody,
  transactionParams,
} from '../../schemas/requests/federation-transaction.ts';
import { isJsonObject } from '../../server/core/pdu.ts';
import { defineEndpoint } from '../../server/http/endpoint.ts';
import { roomDepsOf } from '../../server/rooms/room-deps.ts';
import { getEvent, loadRoomVersion } from '../../server/storage/events.ts';
import { isServerInRoom } from '../../server/storage/room-servers.ts';
import { currentStateEventIds } from '../../server/storage/sync-room-summary.ts';
import type { FederationContext } from '../federation-context.ts';
import { receiveInviteRescind } from '../rooms/receive-invite-rescind.ts';
import { type PduOutcome, receivePdus } from '../rooms/receive-pdu.ts';
import { remoteHistoryOf } from '../rooms/remote-history.ts';
import { aclContentOf, isServerAllowedByAcl } from '../rooms/server-acl.ts';
import { federationOriginOf } from '../transport/verify-request.ts';

type PduResults = Record<string, { error?: string }>;

export const sendTransaction = defineEndpoint<
  FederationContext,
  TransactionBody,
  unknown,
  TransactionParams
>({
  method: 'PUT',
  path: '/_matrix/federation/v1/send/:txnId',
  schema: { params: transactionParams, body: transactionBody },
  handler: async (ctx, request) => {
    const origin = federationOriginOf(request);
    const { body } = request;
    const pdus = await ctx.transactions.run(origin, request.params.txnId, () =>
      receiveTransactionPdus(ctx, origin, body.pdus),
    );
    if (body.edus && body.edus.length > 0) await ctx.receiveEdus(origin, body.edus);
    return { pdus };
  },
});

async function receiveTransactionPdus(
  ctx: FederationContext,
  origin: string,
  pdus: readonly unknown[],
): Promise<PduResults> {
  const byRoom = new Map<string, unknown[]>();
  for (const pdu of pdus) {
    const roomId = isJsonObject(pdu) && typeof pdu.room_id === 'string' ? pdu.room_id : undefined;
    if (roomId === undefined) continue;
    const list = byRoom.get(roomId) ?? [];
    list.push(pdu);
    byRoom.set(roomId, list);
  }
  const results: PduResults = {};
  const deps = { ...roomDepsOf(ctx), serverKeys: ctx.federation.serverKeys };
  const remote = remoteHistoryOf(ctx.federation.client, origin);
  for (const [roomId, raws] of byRoom) {
    // A join of ours may be under way: it holds the room's lock from send_join until the room is
    // stored (join-remote-room.ts), and the server we join through may already send us the
    // room's next events. They wait for it, or they would be ignored as a room we are not in.
    await ctx.roomLocks.run(roomId, async () => {});
    const version = await loadRoomVersion(ctx.db, roomId);
    // A room we are not in: nothing to check the events against. They are not listed (their ids
    // depend on a room version we do not know); the sender learns nothing it could misuse.
    if (!version) continue;
    if (!(await originAllowed(ctx, roomId, origin))) {
      ctx.logger.info({ origin, roomId }, 'transaction PDUs refused by the room server ACL');
      continue;
    }
    // A room we only hold an invite or a knock in: nothing but its end (a rescind, a denial) is taken.
    if (!(await isServerInRoom(ctx.db, roomId, ctx.config.serverName))) {
      for (const raw of raws) {
        const eventId = await receiveInviteRescind(ctx, version, roomId, origin, raw);
        if (eventId !== undefined) results[eventId] = {};
      }
      continue;
    }
    const outcomes = await receivePdus(deps, roomId, version, raws, remote);
    for (const outcome of outcomes) record(results, outcome);
    logRefusals(ctx, origin, outcomes);
  }
  return results;
}

async function originAllowed(ctx: FederationContext, roomId: string, origin: string) {
  const [aclId] = await currentStateEventIds(ctx.db, roomId, [['m.room.server_acl', '']]);
  if (aclId === undefined) return true;
  return isServerAllowedByAcl(aclContentOf(await getEvent(ctx.db, aclId)), origin);
}

function record(results: PduResults, outcome: PduOutcome): void {
  if (outcome.eventId === undefined) return;
  results[outcome.eventId] =
    outcome.status === 'rejected' || outcome.status === 'dropped' ? { error: outcome.reason } : {};
}

function logRefusals(ctx: FederationContext, origin: string, outcomes: readonly PduOutcome[]) {
  for (const outcome of outcomes) {
    if (outcome.status === 'rejected' || outcome.status === 'dropped') {
      ctx.logger.info(
        { origin, eventId: outcome.eventId, status: outcome.status, reason: outcome.reason },
        'PDU refused',
      );
    }
  }
}
