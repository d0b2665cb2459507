// The ephemeral parts of /sync this module owns, as sources for the /sync endpoint
// (server/sync/sync-sources.ts): m.receipt under token key `r` (receipts.stream_id, a database
// position) and m.typing under `t` (the typing tracker's position).
// https://spec.matrix.org/latest/client-server-api/#mreceipt
// https://spec.matrix.org/latest/client-server-api/#mtyping
import type { Context } from '../context.ts';
import type { JsonObject } from '../core/pdu.ts';
import { typeMatches } from '../rooms/room-event-filter.ts';
import { getReceiptsBetween, maxReceiptStreamId, type Receipt } from '../storage/receipts.ts';
import type { EphemeralQuery, EphemeralSource } from '../sync/sync-sources.ts';

export const receiptsSource: EphemeralSource = {
  key: 'r',
  // Receipt writes are serialised (set-receipt.ts), so no lower position can commit later.
  currentPosition: (ctx) => maxReceiptStreamId(ctx.db),
  async collect(ctx, query) {
    if (!wanted(query, 'm.receipt')) return new Map();
    const receipts = await getReceiptsBetween(ctx.db, query.roomIds, query.since ?? 0, query.upTo);
    return receiptEvents(receipts, query.userId);
  },
};

export const typingSource: EphemeralSource = {
  key: 't',
  currentPosition: (ctx: Context) => ctx.typing.position(),
  async collect(ctx, query) {
    const events = new Map<string, JsonObject[]>();
    if (!wanted(query, 'm.typing')) return events;
    // An initial sync gets the rooms where someone is typing; later ones every room that changed
    // (possibly to nobody typing).
    const changes =
      query.since === undefined
        ? ctx.typing.typingIn(query.roomIds)
        : ctx.typing.changesSince(query.roomIds, query.since);
    for (const [roomId, userIds] of changes) {
      events.set(roomId, [{ type: 'm.typing', content: { user_ids: userIds } }]);
    }
    return events;
  },
};

/** One m.receipt event per room; a user's private receipts are shown to that user only. */
export function receiptEvents(
  receipts: readonly Receipt[],
  userId: string,
): Map<string, JsonObject[]> {
  const contentByRoom = new Map<string, JsonObject>();
  for (const receipt of receipts) {
    if (receipt.receiptType === 'm.read.private' && receipt.userId !== userId) continue;
    const content = contentByRoom.get(receipt.roomId) ?? {};
    contentByRoom.set(receipt.roomId, content);
    const byType = child(content, receipt.eventId);
    const byUser = child(byType, receipt.receiptType);
    byUser[receipt.userId] = {
      ts: receipt.ts,
      ...(receipt.threadId === '' ? {} : { thread_id: receipt.threadId }),
    };
  }
  return new Map(
    [...contentByRoom].map(([roomId, content]) => [roomId, [{ type: 'm.receipt', content }]]),
  );
}

function child(parent: JsonObject, key: string): JsonObject {
  const existing = parent[key];
  if (typeof existing === 'object' && existing !== null && !Array.isArray(existing))
    return existing;
  const created: JsonObject = {};
  parent[key] = created;
  return created;
}

function wanted(query: EphemeralQuery, type: string): boolean {
  const { filter } = query;
  if (filter?.not_types?.some((pattern) => typeMatches(pattern, type))) return false;
  return !filter?.types || filter.types.some((pattern) => typeMatches(pattern, type));
}
