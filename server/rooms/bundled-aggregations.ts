// What the server bundles with events it serves (unsigned["m.relations"]): the thread summary
// of a thread root, the latest valid edit, and the references. Only children the reader may see
// count, and none from after a departed reader's last membership change. State events get none,
// as the spec says; a redacted event gets no edit.
// https://spec.matrix.org/latest/client-server-api/#aggregations-of-child-events
import type { Kysely } from 'kysely';
import { listChildrenOf, threadSummaries } from '../storage/event-relations.ts';
import { getEvents, type StoredEvent } from '../storage/events.ts';
import type { Database } from '../storage/schema.ts';
import { isValidReplacement, latestEdit } from './event-relation.ts';
import { type RoomReader, readLimitOf } from './room-reader.ts';
import { filterVisibleEvents } from './visible-events.ts';

export interface Aggregation {
  thread?: { latest: StoredEvent; count: number; participated: boolean };
  replace?: StoredEvent;
  references?: string[];
}

export async function collectAggregations(
  db: Kysely<Database>,
  reader: RoomReader,
  events: readonly StoredEvent[],
  options: { readonly threads: boolean },
): Promise<Map<string, Aggregation>> {
  const parents = events.filter(
    (event) => event.roomId === reader.roomId && typeof event.pdu.state_key !== 'string',
  );
  const found = new Map<string, Aggregation>();
  if (parents.length === 0) return found;
  const ids = parents.map((event) => event.eventId);
  const limit = readLimitOf(reader);

  const summaries = options.threads
    ? await threadSummaries(db, reader.roomId, ids, reader.userId, limit)
    : [];
  // Edits and references in one read; a redacted event's edits do not count.
  const related = await listChildrenOf(db, reader.roomId, ids, ['m.replace', 'm.reference'], limit);
  const redacted = new Set(parents.filter((e) => e.redactedBy !== null).map((e) => e.eventId));
  const edits = related.filter((row) => row.relType === 'm.replace' && !redacted.has(row.parentId));
  const references = related.filter((row) => row.relType === 'm.reference');

  const children = await getEvents(db, [
    ...summaries.map((summary) => summary.latestEventId),
    ...edits.map((row) => row.eventId),
    ...references.map((row) => row.eventId),
  ]);
  const visible = new Map(
    (await filterVisibleEvents(db, reader, [...children.values()])).map((e) => [e.eventId, e]),
  );
  const entry = (parentId: string): Aggregation => {
    const aggregation = found.get(parentId) ?? {};
    found.set(parentId, aggregation);
    return aggregation;
  };
  const byId = new Map(parents.map((event) => [event.eventId, event]));

  for (const summary of summaries) {
    const latest = visible.get(summary.latestEventId);
    const root = byId.get(summary.rootId);
    if (!latest || !root) continue;
    entry(summary.rootId).thread = {
      latest,
      count: summary.count,
      participated: summary.participated || root.pdu.sender === reader.userId,
    };
  }
  const editsByParent = new Map<string, StoredEvent[]>();
  for (const row of edits) {
    const edit = visible.get(row.eventId);
    const original = byId.get(row.parentId);
    if (!edit || !original || !isValidReplacement(original.pdu, edit.pdu)) continue;
    editsByParent.set(row.parentId, [...(editsByParent.get(row.parentId) ?? []), edit]);
  }
  for (const [parentId, candidates] of editsByParent) {
    const latest = latestEdit(candidates);
    if (latest) entry(parentId).replace = latest;
  }
  for (const row of references) {
    if (!visible.has(row.eventId)) continue;
    const aggregation = entry(row.parentId);
    aggregation.references = [...(aggregation.references ?? []), row.eventId];
  }
  return found;
}
