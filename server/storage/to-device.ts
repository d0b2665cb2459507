// Send-to-device messages: each device's inbox in stream order, kept until the device's /sync
// acknowledges it, and the ids (client txnIds, federation message_ids) already taken.
//
// A /sync hands out a device's messages after a stream id and later deletes up to the highest one
// it handed out. Were a lower stream id still in flight when that happened, it would be deleted
// unseen. So messages are written under a table lock, taken before their stream ids and held to
// the commit: stream ids of device_inbox become visible in order, and a reader never sees a later
// one before an earlier one. The lock does not block readers.
import { type Kysely, sql } from 'kysely';
import type { JsonObject } from '../core/pdu.ts';
import type { Database } from './schema.ts';

/** The to-device event as /sync returns it. */
export interface ToDeviceMessage {
  readonly type: string;
  readonly sender: string;
  readonly content: JsonObject;
}

export interface InboxDelivery {
  readonly userId: string;
  readonly deviceId: string;
  readonly message: ToDeviceMessage;
}

export interface InboxMessage {
  readonly streamId: number;
  readonly message: ToDeviceMessage;
}

/** What makes a request idempotent: a client's txnId, or an inbound EDU's message_id. */
export type ToDeviceClaim =
  | {
      readonly kind: 'txn';
      readonly userId: string;
      readonly deviceId: string;
      readonly txnId: string;
    }
  | { readonly kind: 'remote'; readonly origin: string; readonly messageId: string };

/**
 * Takes the claim and stores the messages in one transaction (opened here: `db` must not be a
 * transaction). Returns false, storing nothing, when the claim was taken before: the request is
 * a retry. A claim is recorded even with no messages to store, so a retry stays a retry.
 */
export async function storeToDeviceMessages(
  db: Kysely<Database>,
  claim: ToDeviceClaim,
  deliveries: readonly InboxDelivery[],
  now: number,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const taken =
      claim.kind === 'txn'
        ? await trx
            .insertInto('to_device_txn_ids')
            .values({
              user_id: claim.userId,
              device_id: claim.deviceId,
              txn_id: claim.txnId,
              created_ts: now,
            })
            .onConflict((conflict) => conflict.doNothing())
            .returning('txn_id')
            .executeTakeFirst()
        : await trx
            .insertInto('to_device_remote_ids')
            .values({ origin: claim.origin, message_id: claim.messageId, received_ts: now })
            .onConflict((conflict) => conflict.doNothing())
            .returning('message_id')
            .executeTakeFirst();
    if (taken === undefined) return false;
    if (deliveries.length === 0) return true;
    // Self-conflicting, and weaker than what a plain SELECT needs: writers queue, readers don't.
    await sql`LOCK TABLE device_inbox IN SHARE ROW EXCLUSIVE MODE`.execute(trx);
    await trx
      .insertInto('device_inbox')
      .values(
        deliveries.map((delivery) => ({
          user_id: delivery.userId,
          device_id: delivery.deviceId,
          message: JSON.stringify(delivery.message),
          created_ts: now,
        })),
      )
      .execute();
    return true;
  });
}

/** Up to `limit` messages for the device with a stream id above `after`, oldest first. */
export async function readInbox(
  db: Kysely<Database>,
  userId: string,
  deviceId: string,
  after: number,
  limit: number,
): Promise<InboxMessage[]> {
  const rows = await db
    .selectFrom('device_inbox')
    .select(['stream_id', 'message'])
    .where('user_id', '=', userId)
    .where('device_id', '=', deviceId)
    .where('stream_id', '>', after)
    .orderBy('stream_id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    streamId: row.stream_id,
    message: JSON.parse(row.message) as ToDeviceMessage,
  }));
}

/** Deletes the device's messages up to and including `upTo` (acknowledged); returns how many. */
export async function deleteInboxUpTo(
  db: Kysely<Database>,
  userId: string,
  deviceId: string,
  upTo: number,
): Promise<number> {
  const result = await db
    .deleteFrom('device_inbox')
    .where('user_id', '=', userId)
    .where('device_id', '=', deviceId)
    .where('stream_id', '<=', upTo)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
