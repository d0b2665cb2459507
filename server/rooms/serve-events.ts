// Events as a reader is served them, on every read path (/messages, /context, /event, /state,
// /relations, /threads; /sync should use it too): redacted events as their room version's
// redaction algorithm leaves them, with `unsigned.redacted_because`, bundled aggregations, and for
// a state event that replaced another, `unsigned.replaces_state`/`prev_content`/`prev_sender`,
// the reader's `unsigned.membership` at each event and, for the sending device,
// `unsigned.transaction_id`.
// Which event was replaced is recorded when the event is persisted (the state before it is at
// hand then); its content is read here, in the same query as the redactions, so that it follows
// a later redaction of the replaced event at no extra round trip.
// The events are of the reader's room (its version decides the redaction algorithm). Their
// visibility is the caller's business (filterVisibleEvents); a bundled redaction's is checked here.
import type { Kysely } from 'kysely';
import type { JsonObject } from '../core/pdu.ts';
import { redactEvent } from '../core/redaction.ts';
import { getEvents, type StoredEvent } from '../storage/events.ts';
import type { Database } from '../storage/schema.ts';
import { transactionIdsOf } from '../storage/sync-timeline.ts';
import { type Aggregation, collectAggregations } from './bundled-aggregations.ts';
import { type PreviousState, toClientEvent } from './client-event.ts';
import { membershipAtEvents } from './membership-at-events.ts';
import type { RoomReader } from './room-reader.ts';
import { filterVisibleEvents } from './visible-events.ts';

export interface ServeOptions {
  readonly now: number;
  /** Bundle aggregations with the events (default true). */
  readonly aggregate?: boolean;
  /** Include thread summaries in them (default true; off for a thread's own latest event). */
  readonly threads?: boolean;
  /**
   * The requesting device: its own events get `unsigned.transaction_id`. /sync passes none and
   * adds them itself, from the transaction ids it already read.
   */
  readonly deviceId?: string | undefined;
}

export async function serveEvents(
  db: Kysely<Database>,
  reader: RoomReader,
  events: readonly StoredEvent[],
  options: ServeOptions,
): Promise<JsonObject[]> {
  if (events.length === 0) return [];
  const { now } = options;
  const redactionIds = events.flatMap((event) => (event.redactedBy ? [event.redactedBy] : []));
  const replacedIds = events.flatMap((event) =>
    event.replacesState && typeof event.pdu.state_key === 'string' ? [event.replacesState] : [],
  );
  const related = await getEvents(db, [...redactionIds, ...replacedIds]);
  const visibleRedactions = await visibleIds(db, reader, redactionIds, related);
  const memberships = await membershipAtEvents(db, reader, events);
  const transactionIds =
    options.deviceId === undefined
      ? new Map<string, string>()
      : await transactionIdsOf(
          db,
          reader.userId,
          options.deviceId,
          events.map((event) => event.eventId),
        );
  const aggregations =
    options.aggregate === false
      ? new Map<string, Aggregation>()
      : await collectAggregations(db, reader, events, { threads: options.threads !== false });

  // The events bundled inside aggregations are served too: a thread's latest event with its own
  // edits and references (threads do not nest), an edit as it is.
  const latestInThreads = [...aggregations.values()].flatMap((a) => a.thread?.latest ?? []);
  const servedLatest = await serveEvents(db, reader, latestInThreads, { now, threads: false });
  const latestById = new Map(latestInThreads.map((event, i) => [event.eventId, servedLatest[i]!]));
  const edits = [...aggregations.values()].flatMap((a) => a.replace ?? []);
  const servedEdits = await serveEvents(db, reader, edits, { now, aggregate: false });
  const editById = new Map(edits.map((event, i) => [event.eventId, servedEdits[i]!]));

  return events.map((event) => {
    const redaction = event.redactedBy ? related.get(event.redactedBy) : undefined;
    const aggregation = aggregations.get(event.eventId);
    const relations: JsonObject = {};
    if (aggregation?.thread) {
      relations['m.thread'] = {
        latest_event: latestById.get(aggregation.thread.latest.eventId)!,
        count: aggregation.thread.count,
        current_user_participated: aggregation.thread.participated,
      };
    }
    if (aggregation?.replace) relations['m.replace'] = editById.get(aggregation.replace.eventId)!;
    if (aggregation?.references) {
      relations['m.reference'] = {
        chunk: aggregation.references.map((eventId) => ({ event_id: eventId })),
      };
    }
    return toClientEvent(event, now, {
      ...(redaction
        ? {
            redaction: {
              version: reader.version,
              because: visibleRedactions.has(redaction.eventId)
                ? toClientEvent(redaction, now)
                : toClientEvent(
                    { ...redaction, pdu: redactEvent(reader.version, redaction.pdu) },
                    now,
                  ),
            },
          }
        : {}),
      relations,
      previous: previousState(reader, event, related),
      membership: memberships.get(event.eventId),
      transactionId: transactionIds.get(event.eventId),
    });
  });
}

/**
 * The redactions the reader may see themselves. One they may not (sent after they left, say) is
 * still bundled, as the redaction algorithm leaves it: clients tell a redacted event by
 * `redacted_because`, but its reason is not the reader's to read.
 */
async function visibleIds(
  db: Kysely<Database>,
  reader: RoomReader,
  ids: readonly string[],
  events: ReadonlyMap<string, StoredEvent>,
): Promise<Set<string>> {
  const found = ids.flatMap((id) => events.get(id) ?? []);
  if (found.length === 0) return new Set();
  return new Set((await filterVisibleEvents(db, reader, found)).map((event) => event.eventId));
}

function previousState(
  reader: RoomReader,
  event: StoredEvent,
  related: ReadonlyMap<string, StoredEvent>,
): PreviousState | undefined {
  if (!event.replacesState || typeof event.pdu.state_key !== 'string') return undefined;
  const replaced = related.get(event.replacesState);
  if (!replaced) return undefined;
  const pdu = replaced.redactedBy ? redactEvent(reader.version, replaced.pdu) : replaced.pdu;
  return { eventId: replaced.eventId, content: pdu.content, sender: pdu.sender };
}
