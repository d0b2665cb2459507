// Archives a room's new events with each epoch: every accepted event since the room was last
// archived becomes an IPLD block (event-block.ts) linking its prev_events' blocks, stored (and
// pinned, on Kubo) parents first, then a new archive root naming the room's current heads. The
// blocks are the same ones `cairn export-room` writes to a CAR, so `cairn verify-room --archive
// <root CID>` can check the history from IPFS alone, without this server.
import type { Kysely } from 'kysely';
import type { CID } from 'multiformats/cid';
import { CID as CIDClass } from 'multiformats/cid';
import type { Config } from '../config/load-config.ts';
import { roomHeads } from '../storage/anchoring.ts';
import type { Database } from '../storage/schema.ts';
import { encodeArchiveRoot, encodeEventBlock } from './event-block.ts';
import type { IpldBlockStore } from './ipld-block-store.ts';

export type ArchivePolicy = Pick<Config, 'archivePublicRooms' | 'archiveRoomIds'>;

const ARCHIVE_STATE_TYPE = 'org.cairn.archive';

/** Archived: listed by the operator, public (when public rooms are archived), or opted in. */
export async function isArchivedRoom(
  db: Kysely<Database>,
  policy: ArchivePolicy,
  roomId: string,
): Promise<boolean> {
  if (policy.archiveRoomIds.includes(roomId)) return true;
  const room = await db
    .selectFrom('rooms')
    .select('is_public')
    .where('room_id', '=', roomId)
    .executeTakeFirst();
  if (room?.is_public && policy.archivePublicRooms) return true;
  const optIn = await db
    .selectFrom('current_state as s')
    .innerJoin('events as e', 'e.event_id', 's.event_id')
    .select('e.json')
    .where('s.room_id', '=', roomId)
    .where('s.type', '=', ARCHIVE_STATE_TYPE)
    .where('s.state_key', '=', '')
    .executeTakeFirst();
  if (!optIn) return false;
  const content = (JSON.parse(optIn.json) as { content?: { enabled?: unknown } }).content;
  return content?.enabled === true;
}

/** Archives the room's events up to `upTo`; returns the new archive root's CID. */
export async function archiveNewEvents(
  deps: { readonly db: Kysely<Database>; readonly blocks: IpldBlockStore },
  room: { readonly roomId: string; readonly roomVersion: string; readonly upTo: number },
): Promise<string> {
  const { db, blocks } = deps;
  const progress = await db
    .selectFrom('archive_rooms')
    .selectAll()
    .where('room_id', '=', room.roomId)
    .executeTakeFirst();
  const missing = new Set<string>(progress ? (JSON.parse(progress.missing) as string[]) : []);
  const rows = await db
    .selectFrom('events')
    .select(['event_id', 'json'])
    .where('room_id', '=', room.roomId)
    .where('outlier', '=', false)
    .where('stream_ordering', '>', progress?.stream_position ?? 0)
    .where('stream_ordering', '<=', room.upTo)
    .orderBy('depth')
    .orderBy('stream_ordering')
    .execute();
  const cids = new Map<string, CID>();
  const lookup = async (ids: readonly string[]) => {
    const unknown = ids.filter((id) => !cids.has(id));
    if (unknown.length === 0) return;
    const stored = await db
      .selectFrom('archive_event_blocks')
      .select(['event_id', 'cid'])
      .where('event_id', 'in', unknown)
      .execute();
    for (const row of stored) cids.set(row.event_id, CIDClass.parse(row.cid));
  };
  const archived: { event_id: string; room_id: string; cid: string }[] = [];
  for (const row of rows) {
    const pdu = JSON.parse(row.json) as { prev_events?: unknown };
    const prevIds = Array.isArray(pdu.prev_events)
      ? pdu.prev_events.filter((id): id is string => typeof id === 'string')
      : [];
    await lookup(prevIds);
    const prev: CID[] = [];
    for (const id of prevIds) {
      const cid = cids.get(id);
      if (cid) prev.push(cid);
      else missing.add(id);
    }
    const block = encodeEventBlock({ eventId: row.event_id, pdu: row.json, prev });
    await blocks.put(block.cid, block.bytes);
    cids.set(row.event_id, block.cid);
    archived.push({ event_id: row.event_id, room_id: room.roomId, cid: block.cid.toString() });
  }
  const heads = await roomHeads(db, room.roomId);
  await lookup(heads.map((head) => head.event_id));
  const root = encodeArchiveRoot({
    roomId: room.roomId,
    roomVersion: room.roomVersion,
    heads: heads.flatMap((head) => {
      const cid = cids.get(head.event_id);
      return cid ? [cid] : [];
    }),
    missing: [...missing],
  });
  await blocks.put(root.cid, root.bytes);
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < archived.length; i += 500) {
      await trx
        .insertInto('archive_event_blocks')
        .values(archived.slice(i, i + 500))
        .onConflict((oc) => oc.column('event_id').doNothing())
        .execute();
    }
    const values = {
      room_id: room.roomId,
      stream_position: room.upTo,
      missing: JSON.stringify([...missing].sort()),
      root_cid: root.cid.toString(),
    };
    await trx
      .insertInto('archive_rooms')
      .values(values)
      .onConflict((oc) =>
        oc.column('room_id').doUpdateSet({
          stream_position: values.stream_position,
          missing: values.missing,
          root_cid: values.root_cid,
        }),
      )
      .execute();
  });
  return root.cid.toString();
}
