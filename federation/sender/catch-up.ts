// Queues local events for federation from the events stream itself, not from the announcements:
// the sender keeps a persisted position (the highest stream position already queued) and queues
// every event after it, up to the stream's safe position, moving the position in the same
// database transaction as the queued rows. The same pass serves a start (events persisted but
// never announced before a crash) and each announcement, so both take one code path and an
// event is queued exactly once.
//
// Only up to the safe position (server/rooms/event-stream.ts): a position above it may belong to
// a transaction still in flight, which could commit after the pass moved past it.
import type { Kysely } from 'kysely';
import type { EventStream } from '../../server/rooms/event-stream.ts';
import {
  EVENTS_STREAM,
  getSenderPosition,
  listEventsToSend,
  type QueuedPdu,
  queuePdusAndAdvance,
} from '../../server/storage/federation-queue.ts';
import { joinedServersSinceIn, serverNameOfUser } from '../../server/storage/room-servers.ts';
import type { Database } from '../../server/storage/schema.ts';
import { destinationsOfEvent } from './pdu-destinations.ts';

export interface CatchUpDeps {
  readonly db: Kysely<Database>;
  readonly serverName: string;
  readonly eventStream: EventStream;
  readonly now: () => number;
  /** Events read per database transaction. */
  readonly batchSize?: number;
  /** An event that needs no sending (delivered otherwise); called once per event. */
  readonly skip?: (eventId: string) => boolean;
}

export interface CatchUpResult {
  /** The stream position queued up to. */
  readonly position: number;
  /** Destinations that got new PDUs. */
  readonly destinations: ReadonlySet<string>;
}

const DEFAULT_BATCH = 100;

export async function queueNewEvents(deps: CatchUpDeps): Promise<CatchUpResult> {
  const { db, serverName } = deps;
  const limit = deps.batchSize ?? DEFAULT_BATCH;
  const upTo = await deps.eventStream.currentPosition(db);
  const destinations = new Set<string>();
  let position = await getSenderPosition(db, EVENTS_STREAM);
  while (position < upTo) {
    const events = await listEventsToSend(db, serverName, { after: position, upTo, limit });
    // A short batch read everything up to `upTo`, remote senders' events included.
    const next = events.length < limit ? upTo : events.at(-1)!.streamOrdering;
    // The query's suffix match lets `@a:evil:example.org` through; the server name is exact here.
    const ours = events.filter(
      (event) => serverNameOfUser(event.sender) === serverName && !deps.skip?.(event.eventId),
    );
    // One statement for the batch's rooms (a batch of joins into 100 rooms asked 100 times).
    const joined = await joinedServersSinceIn(db, [...new Set(ours.map((event) => event.roomId))]);
    const pdus: QueuedPdu[] = [];
    for (const event of ours) {
      const since = joined.get(event.roomId)!;
      // Not to servers that joined after the event (a catch-up running late): they get the
      // room's history from their join, not as new events.
      const servers = [...since].flatMap(([server, at]) =>
        at <= event.streamOrdering ? [server] : [],
      );
      for (const destination of destinationsOfEvent(event, servers, serverName)) {
        pdus.push({ destination, eventId: event.eventId });
        destinations.add(destination);
      }
    }
    await queuePdusAndAdvance(db, pdus, { stream: EVENTS_STREAM, position: next, now: deps.now() });
    position = next;
  }
  return { position: Math.max(position, upTo), destinations };
}
