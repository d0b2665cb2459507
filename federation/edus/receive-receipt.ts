// Inbound m.receipt: read receipts of the sending server's users, stored like local ones
// (server/ephemeral/set-receipt.ts) so /sync shows them, with the time the sender gave. Only
// m.read is federated; a receipt moves forward only, and one naming no event we have in the room
// is left (it cannot be placed in the room's order). Receipts the EDU does not list stay as they
// are, as the spec asks.
// https://spec.matrix.org/latest/server-server-api/#receipts
import type { Context } from '../../server/context.ts';
import { isJsonObject, type JsonObject } from '../../server/core/pdu.ts';
import { setReceipt } from '../../server/ephemeral/set-receipt.ts';
import { MatrixError } from '../../server/http/matrix-error.ts';
import { getEvents, type StoredEvent } from '../../server/storage/events.ts';
import { isUserOf, mayActInRoom } from './edu-sender.ts';

type ReceiptContext = Pick<Context, 'db' | 'roomLocks' | 'now' | 'sync'>;

export async function receiveReceipts(
  ctx: ReceiptContext,
  origin: string,
  content: JsonObject,
): Promise<void> {
  for (const [roomId, byType] of Object.entries(content)) {
    if (!roomId.startsWith('!') || !isJsonObject(byType)) continue;
    const read = byType['m.read'];
    if (!isJsonObject(read)) continue;
    let moved = false;
    for (const [userId, receipt] of Object.entries(read)) {
      if (!isUserOf(userId, origin) || !isJsonObject(receipt)) continue;
      if (await receiveOne(ctx, origin, roomId, userId, receipt)) moved = true;
    }
    if (moved) ctx.sync.notifier.notify({ roomIds: [roomId] });
  }
}

async function receiveOne(
  ctx: ReceiptContext,
  origin: string,
  roomId: string,
  userId: string,
  receipt: JsonObject,
): Promise<boolean> {
  const { event_ids: eventIds, data } = receipt;
  if (!Array.isArray(eventIds) || !isJsonObject(data)) return false;
  const threadId = data.thread_id;
  if (threadId !== undefined && typeof threadId !== 'string') return false;
  const ts = Number.isSafeInteger(data.ts) ? (data.ts as number) : ctx.now();
  if (!(await mayActInRoom(ctx, origin, roomId, userId))) return false;
  const ids = eventIds.filter((id): id is string => typeof id === 'string').slice(0, 10);
  const event = latestInRoom(await getEvents(ctx.db, ids), roomId);
  if (!event) return false;
  try {
    return await setReceipt(
      { db: ctx.db, locks: ctx.roomLocks, now: ctx.now },
      { userId, receiptType: 'm.read', event, threadId, ts },
    );
  } catch (err) {
    // A thread the event is not in: the client API's 400, here a receipt left out.
    if (err instanceof MatrixError) return false;
    throw err;
  }
}

function latestInRoom(events: Map<string, StoredEvent>, roomId: string): StoredEvent | undefined {
  let latest: StoredEvent | undefined;
  for (const event of events.values()) {
    if (event.roomId !== roomId || event.outlier || event.rejectedReason !== null) continue;
    if (!latest || event.streamOrdering > latest.streamOrdering) latest = event;
  }
  return latest;
}
