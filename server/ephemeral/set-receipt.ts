// Moves a user's read receipt (m.read, m.read.private; unthreaded or threaded) to an event.
// Receipts only move forward: a receipt for an event older than the current one is accepted and
// ignored, as clients race their own receipts. A threaded receipt must name the thread its event
// is in (`main` for the main timeline).
// https://spec.matrix.org/latest/client-server-api/#receipts
import type { Kysely } from 'kysely';
import { MatrixError } from '../http/matrix-error.ts';
import { relationOf } from '../rooms/event-relation.ts';
import type { KeyedMutex } from '../rooms/keyed-mutex.ts';
import { getEvent, type StoredEvent } from '../storage/events.ts';
import { clearPushActions } from '../storage/push-actions.ts';
import { getReceiptEventId, type ReceiptKey, upsertReceipt } from '../storage/receipts.ts';
import type { Database } from '../storage/schema.ts';

/** The spec recommends following at most 3 relations to find an event's thread. */
const MAX_HOPS = 3;
/** The lock key that serialises receipt writes (room ids start with `!`, so none collides). */
const RECEIPTS_LOCK = 'receipts';

export interface ReceiptDeps {
  readonly db: Kysely<Database>;
  /** Serialises writes, so stream positions become visible in the order they are taken. */
  readonly locks: KeyedMutex;
  readonly now: () => number;
  /** Told of each receipt that moved (the federation sender passes on local users' m.read). */
  readonly onReceipt?: (receipt: WrittenReceipt) => void;
}

export interface ReceiptRequest {
  readonly userId: string;
  readonly receiptType: 'm.read' | 'm.read.private';
  readonly event: StoredEvent;
  readonly threadId: string | undefined;
  /** When the user read it, if another server said (federation); else now. */
  readonly ts?: number;
}

export interface WrittenReceipt extends ReceiptKey {
  readonly eventId: string;
  readonly ts: number;
}

/** Returns whether the receipt moved (false when it already pointed at a newer event). */
export async function setReceipt(deps: ReceiptDeps, request: ReceiptRequest): Promise<boolean> {
  const { event, threadId } = request;
  if (threadId !== undefined) await checkThread(deps.db, event, threadId);
  const key: ReceiptKey = {
    roomId: event.roomId,
    receiptType: request.receiptType,
    userId: request.userId,
    threadId: threadId ?? '',
  };
  const moved = await deps.locks.run(RECEIPTS_LOCK, async () => {
    const currentId = await getReceiptEventId(deps.db, key);
    const current = currentId === undefined ? undefined : await getEvent(deps.db, currentId);
    if (current && current.streamOrdering >= event.streamOrdering) return undefined;
    const written = { ...key, eventId: event.eventId, ts: request.ts ?? deps.now() };
    await upsertReceipt(deps.db, written);
    // What the receipt covers notifies no more: unread counts only look past the latest receipt,
    // so these rows would never be read again (an unthreaded receipt covers every thread).
    await clearPushActions(deps.db, {
      userId: request.userId,
      roomId: event.roomId,
      before: event.streamOrdering + 1,
      threadId: threadId === undefined ? 'all' : threadId === 'main' ? null : threadId,
    });
    return written;
  });
  if (moved) deps.onReceipt?.(moved);
  return moved !== undefined;
}

async function checkThread(db: Kysely<Database>, event: StoredEvent, threadId: string) {
  const thread = await threadOf(db, event);
  // A thread root is in the main timeline, but a receipt "in" its own thread is fair too.
  const fits = thread === threadId || (threadId === event.eventId && thread === 'main');
  if (!fits) {
    throw new MatrixError(
      400,
      'M_INVALID_PARAM',
      `Event ${event.eventId} is not in thread ${threadId}`,
    );
  }
}

/** The thread root an event belongs to, or `main`: follows relations up to MAX_HOPS. */
export async function threadOf(db: Kysely<Database>, event: StoredEvent): Promise<string> {
  let current: StoredEvent | undefined = event;
  for (let hop = 0; current && hop < MAX_HOPS; hop++) {
    const relation = relationOf(current.pdu.content);
    if (!relation) return 'main';
    if (relation.relType === 'm.thread') return relation.eventId;
    const parent: StoredEvent | undefined = await getEvent(db, relation.eventId);
    current = parent?.roomId === event.roomId ? parent : undefined;
  }
  return 'main';
}
