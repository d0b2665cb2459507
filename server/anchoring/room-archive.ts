// A room's events as a CAR stream: the archive root first (it is the CAR's root), then every
// event block, prev_events before the events citing them. Two passes over the events: the first
// computes each block's CID (a block links its prev_events' CIDs, so the heads' CIDs depend on
// everything before them), the second streams the blocks; only the event id -> CID map is held.
import { CarWriter } from '@ipld/car/writer';
import type { Kysely } from 'kysely';
import type { CID } from 'multiformats/cid';
import { roomHeads } from '../storage/anchoring.ts';
import { getRoomVersionOf } from '../storage/events.ts';
import type { Database } from '../storage/schema.ts';
import { encodeArchiveRoot, encodeEventBlock } from './event-block.ts';
import type { EncodedBlock } from './snapshot-document.ts';

const BATCH = 1000;

interface StoredEvent {
  readonly eventId: string;
  readonly json: string;
  readonly prevEvents: readonly string[];
  readonly rejected: boolean;
}

/** The room's accepted DAG events (no outliers), parents before children: by depth, then stream. */
async function* roomEventsInOrder(
  db: Kysely<Database>,
  roomId: string,
): AsyncGenerator<StoredEvent> {
  let after: { depth: number; stream: number } | undefined;
  for (;;) {
    let query = db
      .selectFrom('events')
      .select(['event_id', 'json', 'depth', 'stream_ordering', 'rejected_reason'])
      .where('room_id', '=', roomId)
      .where('outlier', '=', false);
    if (after) {
      const { depth, stream } = after;
      query = query.where((eb) =>
        eb.or([
          eb('depth', '>', depth),
          eb.and([eb('depth', '=', depth), eb('stream_ordering', '>', stream)]),
        ]),
      );
    }
    const rows = await query.orderBy('depth').orderBy('stream_ordering').limit(BATCH).execute();
    for (const row of rows) {
      const pdu = JSON.parse(row.json) as { prev_events?: unknown };
      const prevEvents = Array.isArray(pdu.prev_events)
        ? pdu.prev_events.filter((id): id is string => typeof id === 'string')
        : [];
      yield {
        eventId: row.event_id,
        json: row.json,
        prevEvents,
        rejected: row.rejected_reason !== null,
      };
    }
    const last = rows.at(-1);
    if (!last || rows.length < BATCH) return;
    after = { depth: Number(last.depth), stream: Number(last.stream_ordering) };
  }
}

function blockOf(event: StoredEvent, cids: ReadonlyMap<string, CID>): EncodedBlock {
  const prev = event.prevEvents.flatMap((id) => {
    const cid = cids.get(id);
    return cid ? [cid] : [];
  });
  return encodeEventBlock({ eventId: event.eventId, pdu: event.json, prev });
}

export class RoomNotArchivableError extends Error {
  override name = 'RoomNotArchivableError';
}

/** The CAR bytes of the room's archive, streamed. */
export async function* roomArchiveCar(
  db: Kysely<Database>,
  roomId: string,
): AsyncGenerator<Uint8Array> {
  const roomVersion = await getRoomVersionOf(db, roomId);
  if (roomVersion === undefined) throw new RoomNotArchivableError(`${roomId} is not known here`);
  const cids = new Map<string, CID>();
  const missing = new Set<string>();
  // Rejected events stay in the DAG only where later events cite them; one nothing cites is not
  // part of any history the heads lead to (and the verifier insists every block is reachable).
  const cited = new Set<string>();
  const rejected = new Set<string>();
  for await (const event of roomEventsInOrder(db, roomId)) {
    for (const id of event.prevEvents) {
      if (!cids.has(id)) missing.add(id);
      cited.add(id);
    }
    cids.set(event.eventId, blockOf(event, cids).cid);
    if (event.rejected) rejected.add(event.eventId);
  }
  const heldBack = new Set([...rejected].filter((id) => !cited.has(id)));
  const heads = (await roomHeads(db, roomId)).flatMap((head) => {
    const cid = cids.get(head.event_id);
    return cid ? [cid] : [];
  });
  const root = encodeArchiveRoot({ roomId, roomVersion, heads, missing: [...missing] });
  const { writer, out } = CarWriter.create([root.cid]);
  const writing = (async () => {
    try {
      await writer.put(root);
      for await (const event of roomEventsInOrder(db, roomId)) {
        if (!heldBack.has(event.eventId)) await writer.put(blockOf(event, cids));
      }
    } finally {
      await writer.close();
    }
  })();
  yield* out;
  await writing;
}
