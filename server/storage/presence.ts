// Presence rows: per user, the presence last published to room-mates and the timestamps its
// timeouts are derived from (server/presence/presence-state.ts). A visible change moves the row
// to a new stream position; timestamp-only updates keep it. Writes are serialised by the caller
// (server/presence/presence-writer.ts), so positions become visible in order.
import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
import type { PresenceState } from '../../schemas/requests/presence.ts';
import type { Database } from './schema.ts';

export interface PresenceRecord {
  readonly userId: string;
  readonly state: PresenceState;
  readonly statusMsg: string | null;
  readonly lastActiveTs: number;
  readonly syncingUntilTs: number;
  readonly currentlyActive: boolean;
}

export interface StoredPresence extends PresenceRecord {
  readonly streamId: number;
}

type PresenceRow = Database['presence'];

export async function getPresence(
  db: Kysely<Database>,
  userId: string,
): Promise<StoredPresence | undefined> {
  const row = await db
    .selectFrom('presence')
    .selectAll()
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row && toStored(row);
}

/**
 * Writes the record. With `publish` it takes a new stream position (others will be told);
 * without, only the timestamps move and the row must exist.
 */
export async function savePresence(
  db: Kysely<Database>,
  record: PresenceRecord,
  options: { readonly publish: boolean },
): Promise<void> {
  if (!options.publish) {
    await db
      .updateTable('presence')
      .set({ last_active_ts: record.lastActiveTs, syncing_until_ts: record.syncingUntilTs })
      .where('user_id', '=', record.userId)
      .execute();
    return;
  }
  const values = {
    state: record.state,
    status_msg: record.statusMsg,
    last_active_ts: record.lastActiveTs,
    syncing_until_ts: record.syncingUntilTs,
    currently_active: record.currentlyActive,
  };
  await db
    .insertInto('presence')
    .values({ user_id: record.userId, ...values })
    .onConflict((conflict) =>
      conflict.column('user_id').doUpdateSet({
        ...values,
        stream_id: sql<number>`nextval(pg_get_serial_sequence('presence', 'stream_id'))`,
      }),
    )
    .execute();
}

/** The newest position of the presence stream (0 when there is none). */
export async function maxPresenceStreamId(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('presence')
    .select((eb) => eb.fn.max('stream_id').as('max'))
    .executeTakeFirst();
  return Number(row?.max ?? 0);
}

/** Timestamps before which a published presence has timed out, one per kind of timeout. */
export interface PresenceCutoffs {
  /** Neither syncing nor active since: offline. */
  readonly offlineBefore: number;
  /** Online but not active since: unavailable. */
  readonly idleBefore: number;
  /** Currently active but not active since: no longer currently active. */
  readonly inactiveBefore: number;
}

/**
 * Rows not published as offline that one of the cutoffs has caught up with. Every cutoff needs
 * last_active_ts below it, so the partial index on last_active_ts narrows the scan first.
 */
export async function listTimedOutPresence(
  db: Kysely<Database>,
  cutoffs: PresenceCutoffs,
): Promise<StoredPresence[]> {
  const { offlineBefore, idleBefore, inactiveBefore } = cutoffs;
  const rows = await db
    .selectFrom('presence')
    .selectAll()
    .where('state', '<>', 'offline')
    .where('last_active_ts', '<', Math.max(offlineBefore, idleBefore, inactiveBefore))
    .where((eb) =>
      eb.or([
        eb.and([
          eb('syncing_until_ts', '<', offlineBefore),
          eb('last_active_ts', '<', offlineBefore),
        ]),
        eb.and([eb('state', '=', 'online'), eb('last_active_ts', '<', idleBefore)]),
        eb.and([eb('currently_active', '=', true), eb('last_active_ts', '<', inactiveBefore)]),
      ]),
    )
    .orderBy('user_id')
    .execute();
  return rows.map(toStored);
}

/**
 * Presence written in (since, upTo] of the user and of everyone who shares a joined room with
 * them, oldest first. Driven by the few rows changed since: each is checked for a shared room by
 * index, never by listing the members of the user's rooms.
 */
export async function getPresenceChanges(
  db: Kysely<Database>,
  query: { readonly userId: string; readonly since: number; readonly upTo: number },
): Promise<StoredPresence[]> {
  const rows = await db
    .selectFrom('presence')
    .selectAll()
    .where('stream_id', '>', query.since)
    .where('stream_id', '<=', query.upTo)
    .where((eb) => eb.or([eb('user_id', '=', query.userId), sharesRoomWith(eb, query.userId)]))
    .orderBy('stream_id')
    .execute();
  return rows.map(toStored);
}

/** The presence, as stored, of the user and their room-mates that is not offline, oldest first. */
export async function getRoomMatesPresence(
  db: Kysely<Database>,
  userId: string,
): Promise<StoredPresence[]> {
  const rows = await db
    .selectFrom('presence')
    .selectAll()
    .where('state', '<>', 'offline')
    .where((eb) => eb.or([eb('user_id', '=', userId), sharesRoomWith(eb, userId)]))
    .orderBy('stream_id')
    .execute();
  return rows.map(toStored);
}

/**
 * The presence not offline of others the user came to share a room with after `joinedAfter` (an
 * events stream position): who joined one of the user's rooms since, and the members of rooms the
 * user joined since. Both lists are read first (the new member events, and the user's new rooms:
 * usually none), so a quiet sync costs two index range reads.
 */
export async function getNewRoomMatesPresence(
  db: Kysely<Database>,
  userId: string,
  joinedAfter: number,
): Promise<StoredPresence[]> {
  const joiners = await db
    .selectFrom('events')
    .select('state_key')
    .distinct()
    .where('room_id', 'in', joinedRooms(db, userId))
    .where('stream_ordering', '>', joinedAfter)
    .where('type', '=', 'm.room.member')
    .execute();
  const joinerIds = joiners.flatMap((row) => (row.state_key === null ? [] : [row.state_key]));
  const newRooms = await joinedRooms(db, userId)
    .where('stream_ordering', '>', joinedAfter)
    .execute();
  const newRoomIds = newRooms.map((row) => row.room_id);
  if (joinerIds.length === 0 && newRoomIds.length === 0) return [];
  const rows = await db
    .selectFrom('presence')
    .selectAll()
    .where('state', '<>', 'offline')
    .where('user_id', '<>', userId)
    .where((eb) =>
      eb.or([
        ...(joinerIds.length === 0
          ? []
          : [eb.and([eb('user_id', 'in', joinerIds), sharesRoomWith(eb, userId)])]),
        ...(newRoomIds.length === 0
          ? []
          : [
              eb(
                'user_id',
                'in',
                db
                  .selectFrom('current_state')
                  .select('state_key')
                  .where('room_id', 'in', newRoomIds)
                  .where('type', '=', 'm.room.member')
                  .where('membership', '=', 'join'),
              ),
            ]),
      ]),
    )
    .orderBy('stream_id')
    .execute();
  return rows.map(toStored);
}

/** Whether both users are joined to one room. */
export async function shareJoinedRoom(
  db: Kysely<Database>,
  userId: string,
  otherId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('current_state as other')
    .select('other.room_id')
    .where('other.type', '=', 'm.room.member')
    .where('other.state_key', '=', otherId)
    .where('other.membership', '=', 'join')
    .where('other.room_id', 'in', joinedRooms(db, userId))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

function joinedRooms(db: Kysely<Database>, userId: string) {
  return db
    .selectFrom('current_state')
    .select('room_id')
    .where('type', '=', 'm.room.member')
    .where('state_key', '=', userId)
    .where('membership', '=', 'join');
}

/**
 * The presence row's user is joined to a room the user is joined to: their rooms by the member
 * index, each looked up among the user's by primary key.
 */
function sharesRoomWith(eb: ExpressionBuilder<Database, 'presence'>, userId: string) {
  return eb.exists(
    eb
      .selectFrom('current_state as mate')
      .innerJoin('current_state as mine', (join) =>
        join
          .onRef('mine.room_id', '=', 'mate.room_id')
          .on('mine.type', '=', 'm.room.member')
          .on('mine.state_key', '=', userId)
          .on('mine.membership', '=', 'join'),
      )
      .select('mate.room_id')
      .where('mate.type', '=', 'm.room.member')
      .whereRef('mate.state_key', '=', 'presence.user_id')
      .where('mate.membership', '=', 'join'),
  );
}

function toStored(
  row: {
    [K in keyof PresenceRow]: K extends 'stream_id' ? number : PresenceRow[K];
  },
): StoredPresence {
  return {
    userId: row.user_id,
    state: row.state as PresenceState,
    statusMsg: row.status_msg,
    lastActiveTs: row.last_active_ts,
    syncingUntilTs: row.syncing_until_ts,
    currentlyActive: row.currently_active,
    streamId: row.stream_id,
  };
}
