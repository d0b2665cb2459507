// Read receipts: the latest per (room, type, user, thread). Every write moves the row to a new
// stream position so /sync can return what changed after a position. Writes are serialised by
// the caller (server/ephemeral/set-receipt.ts), so positions become visible in order.
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

export interface ReceiptKey {
  readonly roomId: string;
  readonly receiptType: string;
  readonly userId: string;
  /** '' for an unthreaded receipt. */
  readonly threadId: string;
}

export interface Receipt extends ReceiptKey {
  readonly eventId: string;
  readonly ts: number;
  readonly streamId: number;
}

/** Creates or moves the receipt; returns its new stream position. */
export async function upsertReceipt(
  db: Kysely<Database>,
  receipt: ReceiptKey & { readonly eventId: string; readonly ts: number },
): Promise<number> {
  const row = await db
    .insertInto('receipts')
    .values({
      room_id: receipt.roomId,
      receipt_type: receipt.receiptType,
      user_id: receipt.userId,
      thread_id: receipt.threadId,
      event_id: receipt.eventId,
      ts: receipt.ts,
    })
    .onConflict((conflict) =>
      conflict.columns(['room_id', 'receipt_type', 'user_id', 'thread_id']).doUpdateSet({
        event_id: receipt.eventId,
        ts: receipt.ts,
        stream_id: sql<number>`nextval(pg_get_serial_sequence('receipts', 'stream_id'))`,
      }),
    )
    .returning('stream_id')
    .executeTakeFirstOrThrow();
  return row.stream_id;
}

export async function getReceiptEventId(
  db: Kysely<Database>,
  key: ReceiptKey,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('receipts')
    .select('event_id')
    .where('room_id', '=', key.roomId)
    .where('receipt_type', '=', key.receiptType)
    .where('user_id', '=', key.userId)
    .where('thread_id', '=', key.threadId)
    .executeTakeFirst();
  return row?.event_id;
}

/** Receipts in the rooms written in (since, upTo] (from the start for since 0), oldest first. */
export async function getReceiptsBetween(
  db: Kysely<Database>,
  roomIds: readonly string[],
  since: number,
  upTo: number,
): Promise<Receipt[]> {
  if (roomIds.length === 0) return [];
  const rows = await db
    .selectFrom('receipts')
    .selectAll()
    .where('room_id', 'in', [...new Set(roomIds)])
    .where('stream_id', '>', since)
    .where('stream_id', '<=', upTo)
    .orderBy('stream_id')
    .execute();
  return rows.map((row) => ({
    roomId: row.room_id,
    receiptType: row.receipt_type,
    userId: row.user_id,
    threadId: row.thread_id,
    eventId: row.event_id,
    ts: row.ts,
    streamId: row.stream_id,
  }));
}

/** The newest position of the receipts stream (0 when there are none). */
export async function maxReceiptStreamId(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('receipts')
    .select((eb) => eb.fn.max('stream_id').as('max'))
    .executeTakeFirst();
  return Number(row?.max ?? 0);
}
