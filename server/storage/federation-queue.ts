// The outbound federation sender's queues (federation/sender/): per destination, the PDUs and
// persisted EDUs still to deliver, the transaction attempt awaiting its 200, the retry state, and
// how far the events stream has been queued. See the federation-queues migration for the shape.
import type { Kysely } from 'kysely';
import type { JsonObject } from '../core/pdu.ts';
import type { Database } from './schema.ts';

export interface OutboundEdu {
  readonly edu_type: string;
  readonly content: JsonObject;
}

export interface QueuedPdu {
  readonly destination: string;
  readonly eventId: string;
}

/** What one transaction attempt carries, in queue order. */
export interface TransactionContent {
  readonly pdus: readonly { readonly eventId: string; readonly pdu: JsonObject }[];
  readonly edus: readonly OutboundEdu[];
}

export interface DestinationState {
  /** Failed attempts in a row. */
  readonly failures: number;
  /** No attempt before this time; 0 when there is no wait. */
  readonly retryAtTs: number;
  /** The attempt awaiting its 200, to retry under the same txnId. */
  readonly pendingTxnId: string | null;
}

/** The event a local sender's catch-up looks at. */
export interface EventToSend {
  readonly streamOrdering: number;
  readonly eventId: string;
  readonly roomId: string;
  readonly type: string;
  readonly stateKey: string | null;
  readonly sender: string;
}

export const EVENTS_STREAM = 'events';

export async function getSenderPosition(db: Kysely<Database>, stream: string): Promise<number> {
  const row = await db
    .selectFrom('federation_stream_positions')
    .select('position')
    .where('stream', '=', stream)
    .executeTakeFirst();
  return Number(row?.position ?? 0);
}

/**
 * Events in (after, upTo] that the sender must queue: sent by a user of `serverName`, neither
 * outliers nor rejected (soft-failed ones included), oldest first.
 */
export async function listEventsToSend(
  db: Kysely<Database>,
  serverName: string,
  range: { readonly after: number; readonly upTo: number; readonly limit: number },
): Promise<EventToSend[]> {
  const rows = await db
    .selectFrom('events')
    .select(['stream_ordering', 'event_id', 'room_id', 'type', 'state_key', 'sender'])
    .where('stream_ordering', '>', range.after)
    .where('stream_ordering', '<=', range.upTo)
    .where('outlier', '=', false)
    .where('rejected_reason', 'is', null)
    .where('sender', 'like', `%:${escapeLike(serverName)}`)
    .orderBy('stream_ordering')
    .limit(range.limit)
    .execute();
  return rows.map((row) => ({
    streamOrdering: row.stream_ordering,
    eventId: row.event_id,
    roomId: row.room_id,
    type: row.type,
    stateKey: row.state_key,
    sender: row.sender,
  }));
}

/**
 * Queues the PDUs and moves the stream's position in one transaction: a crash leaves both or
 * neither, so an event is queued once and never skipped.
 */
export async function queuePdusAndAdvance(
  db: Kysely<Database>,
  pdus: readonly QueuedPdu[],
  advance: { readonly stream: string; readonly position: number; readonly now: number },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await queuePdus(trx, pdus, advance.now);
    await trx
      .insertInto('federation_stream_positions')
      .values({ stream: advance.stream, position: advance.position })
      .onConflict((oc) => oc.column('stream').doUpdateSet({ position: advance.position }))
      .execute();
  });
}

/** Queues PDUs (events not from the events stream's scan: relayed ones). */
export async function queuePdus(
  db: Kysely<Database>,
  pdus: readonly QueuedPdu[],
  now: number,
): Promise<void> {
  if (pdus.length === 0) return;
  await db
    .insertInto('federation_outbox')
    .values(
      pdus.map((pdu) => ({
        destination: pdu.destination,
        event_id: pdu.eventId,
        edu_type: null,
        edu_content: null,
        edu_key: null,
        queued_ts: now,
      })),
    )
    .execute();
}

/** Queues an EDU; with a key, it replaces a queued EDU of that key no attempt holds yet. */
export async function queueEduRow(
  db: Kysely<Database>,
  destination: string,
  edu: OutboundEdu,
  options: { readonly key?: string; readonly now: number },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (options.key !== undefined) {
      await trx
        .deleteFrom('federation_outbox')
        .where('destination', '=', destination)
        .where('edu_key', '=', options.key)
        .where('txn_id', 'is', null)
        .execute();
    }
    await trx
      .insertInto('federation_outbox')
      .values({
        destination,
        event_id: null,
        edu_type: edu.edu_type,
        edu_content: JSON.stringify(edu.content),
        edu_key: options.key ?? null,
        queued_ts: options.now,
      })
      .execute();
  });
}

/** Destinations with something queued or an attempt awaiting its 200. */
export async function listQueuedDestinations(db: Kysely<Database>): Promise<string[]> {
  const queued = await db
    .selectFrom('federation_outbox')
    .select('destination')
    .distinct()
    .execute();
  const pending = await db
    .selectFrom('federation_destinations')
    .select('destination')
    .where('pending_txn_id', 'is not', null)
    .execute();
  return [...new Set([...queued, ...pending].map((row) => row.destination))].sort();
}

export async function getDestinationState(
  db: Kysely<Database>,
  destination: string,
): Promise<DestinationState> {
  const row = await db
    .selectFrom('federation_destinations')
    .select(['failures', 'retry_at_ts', 'pending_txn_id'])
    .where('destination', '=', destination)
    .executeTakeFirst();
  return {
    failures: row?.failures ?? 0,
    retryAtTs: Number(row?.retry_at_ts ?? 0),
    pendingTxnId: row?.pending_txn_id ?? null,
  };
}

/**
 * Puts the oldest waiting PDUs and EDUs (up to the limits) into a new attempt `txnId`, recorded
 * as the destination's pending attempt, and returns its content; undefined (and nothing written)
 * when nothing waits.
 */
export async function claimTransaction(
  db: Kysely<Database>,
  destination: string,
  txnId: string,
  limits: { readonly pdus: number; readonly edus: number },
): Promise<TransactionContent | undefined> {
  return db.transaction().execute(async (trx) => {
    const waiting = (kind: 'event_id' | 'edu_type', limit: number) =>
      limit <= 0
        ? Promise.resolve([])
        : trx
            .selectFrom('federation_outbox')
            .select('id')
            .where('destination', '=', destination)
            .where('txn_id', 'is', null)
            .where(kind, 'is not', null)
            .orderBy('id')
            .limit(limit)
            .execute();
    const ids = [
      ...(await waiting('event_id', limits.pdus)),
      ...(await waiting('edu_type', limits.edus)),
    ].map((row) => row.id);
    if (ids.length === 0) return undefined;
    await trx
      .updateTable('federation_outbox')
      .set({ txn_id: txnId })
      .where('id', 'in', ids)
      .execute();
    await trx
      .insertInto('federation_destinations')
      .values({ destination, pending_txn_id: txnId })
      .onConflict((oc) => oc.column('destination').doUpdateSet({ pending_txn_id: txnId }))
      .execute();
    return readTransaction(trx, destination, txnId);
  });
}

/** The content of an attempt, as claimed (a PDU whose event is gone is left out). */
export async function readTransaction(
  db: Kysely<Database>,
  destination: string,
  txnId: string,
): Promise<TransactionContent> {
  const rows = await db
    .selectFrom('federation_outbox as o')
    .leftJoin('events as e', 'e.event_id', 'o.event_id')
    .select(['o.event_id', 'o.edu_type', 'o.edu_content', 'e.json'])
    .where('o.destination', '=', destination)
    .where('o.txn_id', '=', txnId)
    .orderBy('o.id')
    .execute();
  const pdus: { eventId: string; pdu: JsonObject }[] = [];
  const edus: OutboundEdu[] = [];
  for (const row of rows) {
    if (row.event_id !== null) {
      if (row.json !== null) pdus.push({ eventId: row.event_id, pdu: JSON.parse(row.json) });
    } else if (row.edu_type !== null && row.edu_content !== null) {
      edus.push({ edu_type: row.edu_type, content: JSON.parse(row.edu_content) });
    }
  }
  return { pdus, edus };
}

/** The attempt got its 200: its rows are delivered and the destination owes no wait. */
export async function completeTransaction(
  db: Kysely<Database>,
  destination: string,
  txnId: string | null,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (txnId !== null) {
      await trx
        .deleteFrom('federation_outbox')
        .where('destination', '=', destination)
        .where('txn_id', '=', txnId)
        .execute();
    }
    await trx
      .insertInto('federation_destinations')
      .values({ destination, failures: 0, retry_at_ts: 0, pending_txn_id: null })
      .onConflict((oc) =>
        oc.column('destination').doUpdateSet({ failures: 0, retry_at_ts: 0, pending_txn_id: null }),
      )
      .execute();
  });
}

/** Records the retry state (a failure, or a reset when the destination is known to be back). */
export async function saveRetryState(
  db: Kysely<Database>,
  destination: string,
  retry: { readonly failures: number; readonly retryAtTs: number },
): Promise<void> {
  const values = { failures: retry.failures, retry_at_ts: retry.retryAtTs };
  await db
    .insertInto('federation_destinations')
    .values({ destination, ...values })
    .onConflict((oc) => oc.column('destination').doUpdateSet(values))
    .execute();
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}
