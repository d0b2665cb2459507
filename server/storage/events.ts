// Events and the per-room bookkeeping persisted with them: forward extremities, current state,
// client transaction ids. Stored JSON is parsed back into the raw PDU.
import type { Kysely } from 'kysely';
import type { EventWithId, Pdu } from '../core/pdu.ts';
import { getRoomVersion, type RoomVersion } from '../core/room-versions.ts';
import { type StateMap, stateKey } from '../core/state-map.ts';
import type { Database } from './schema.ts';

export interface StoredEvent extends EventWithId {
  readonly roomId: string;
  readonly streamOrdering: number;
  readonly rejectedReason: string | null;
  readonly redactedBy: string | null;
  readonly outlier: boolean;
  /**
   * For a state event, the event it replaced in the room's state (see the event-read-facts
   * migration); null when none. Absent on events not read back from the events table.
   */
  readonly replacesState?: string | null;
}

/** Event ids per query: well under the 32,767 bind parameters PGlite allows in a statement. */
const IDS_PER_QUERY = 5000;

/** The columns toStoredEvent reads. */
export const STORED_EVENT_COLUMNS = [
  'event_id',
  'room_id',
  'json',
  'stream_ordering',
  'rejected_reason',
  'redacted_by',
  'outlier',
  'replaces_state',
] as const;

export function toStoredEvent(row: {
  event_id: string;
  room_id: string;
  json: string;
  stream_ordering: number;
  rejected_reason: string | null;
  redacted_by: string | null;
  outlier: boolean;
  replaces_state: string | null;
}): StoredEvent {
  return {
    eventId: row.event_id,
    roomId: row.room_id,
    pdu: JSON.parse(row.json) as Pdu,
    streamOrdering: row.stream_ordering,
    rejectedReason: row.rejected_reason,
    redactedBy: row.redacted_by,
    outlier: row.outlier,
    replacesState: row.replaces_state,
  };
}

export async function getEvents(
  db: Kysely<Database>,
  eventIds: readonly string[],
): Promise<Map<string, StoredEvent>> {
  const found = new Map<string, StoredEvent>();
  const ids = [...new Set(eventIds)];
  // In batches: a big room's state or auth chain (tens of thousands of ids) in one IN list would
  // pass PGlite's limit of 32,767 bind parameters.
  for (let at = 0; at < ids.length; at += IDS_PER_QUERY) {
    const rows = await db
      .selectFrom('events')
      .select(STORED_EVENT_COLUMNS)
      .where('event_id', 'in', ids.slice(at, at + IDS_PER_QUERY))
      .execute();
    for (const row of rows) found.set(row.event_id, toStoredEvent(row));
  }
  return found;
}

export async function getEvent(
  db: Kysely<Database>,
  eventId: string,
): Promise<StoredEvent | undefined> {
  return (await getEvents(db, [eventId])).get(eventId);
}

// A room's version never changes and its row is never deleted, so once read it is kept: every
// send and every sync of a room asked for it, one round trip each. Per database handle (tests
// open several databases in one process; a transaction is a handle of its own and not cached,
// so nothing read inside one that might roll back is kept).
const roomVersions = new WeakMap<Kysely<Database>, Map<string, string>>();

export async function getRoomVersionOf(
  db: Kysely<Database>,
  roomId: string,
): Promise<string | undefined> {
  const cached = db.isTransaction ? undefined : roomVersions.get(db);
  const known = cached?.get(roomId);
  if (known !== undefined) return known;
  const row = await db
    .selectFrom('rooms')
    .select('room_version')
    .where('room_id', '=', roomId)
    .executeTakeFirst();
  if (row !== undefined && !db.isTransaction) {
    if (cached === undefined) roomVersions.set(db, new Map([[roomId, row.room_version]]));
    else cached.set(roomId, row.room_version);
  }
  return row?.room_version;
}

/** The room's version rules, or undefined for a room this server does not know (or a version
 * it does not implement). */
export async function loadRoomVersion(
  db: Kysely<Database>,
  roomId: string,
): Promise<RoomVersion | undefined> {
  const id = await getRoomVersionOf(db, roomId);
  return id === undefined ? undefined : getRoomVersion(id);
}

export interface Extremity {
  eventId: string;
  depth: number;
  /** The state group after the event (null for an event stored without state). */
  stateAfter: number | null;
}

export async function getForwardExtremities(
  db: Kysely<Database>,
  roomId: string,
): Promise<Extremity[]> {
  const rows = await db
    .selectFrom('room_forward_extremities as x')
    .innerJoin('events as e', 'e.event_id', 'x.event_id')
    .select(['x.event_id', 'e.depth', 'e.stream_ordering', 'e.state_after'])
    .where('x.room_id', '=', roomId)
    .orderBy('e.stream_ordering', 'desc')
    .execute();
  return rows.map((row) => ({
    eventId: row.event_id,
    depth: row.depth,
    stateAfter: row.state_after,
  }));
}

export async function getCurrentState(db: Kysely<Database>, roomId: string): Promise<StateMap> {
  const rows = await db
    .selectFrom('current_state')
    .select(['type', 'state_key', 'event_id'])
    .where('room_id', '=', roomId)
    .execute();
  return new Map(rows.map((row) => [stateKey(row.type, row.state_key), row.event_id]));
}

/** The keys power checks read: whose level is what (create, for room version 12's creators). */
export const CREATE_AND_POWER: readonly (readonly [string, string])[] = [
  ['m.room.create', ''],
  ['m.room.power_levels', ''],
];

/**
 * The entries of the room's current state for the given keys only (a room of thousands of
 * members has tens of thousands of entries; an event's auth needs three or four).
 */
export async function getCurrentStateEntries(
  db: Kysely<Database>,
  roomId: string,
  keys: readonly (readonly [type: string, stateKey: string])[],
): Promise<StateMap> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .selectFrom('current_state')
    .select(['type', 'state_key', 'event_id'])
    .where('room_id', '=', roomId)
    .where((eb) =>
      eb.or(keys.map(([type, key]) => eb.and([eb('type', '=', type), eb('state_key', '=', key)]))),
    )
    .execute();
  return new Map(rows.map((row) => [stateKey(row.type, row.state_key), row.event_id]));
}

/**
 * getCurrentStateEntries with the entries' events, read in the same statement: the send path
 * needs both, and each round trip of it is taken under the room's lock.
 */
export async function getCurrentStateWithEvents(
  db: Kysely<Database>,
  roomId: string,
  keys: readonly (readonly [type: string, stateKey: string])[],
): Promise<{ state: StateMap; events: Map<string, StoredEvent> }> {
  const state: StateMap = new Map();
  const events = new Map<string, StoredEvent>();
  if (keys.length === 0) return { state, events };
  const rows = await db
    .selectFrom('current_state as c')
    .innerJoin('events as e', 'e.event_id', 'c.event_id')
    .select([
      'c.type',
      'c.state_key',
      'e.event_id',
      'e.room_id',
      'e.json',
      'e.stream_ordering',
      'e.rejected_reason',
      'e.redacted_by',
      'e.outlier',
      'e.replaces_state',
    ])
    .where('c.room_id', '=', roomId)
    .where((eb) =>
      eb.or(
        keys.map(([type, key]) => eb.and([eb('c.type', '=', type), eb('c.state_key', '=', key)])),
      ),
    )
    .execute();
  for (const row of rows) {
    state.set(stateKey(row.type, row.state_key), row.event_id);
    events.set(row.event_id, toStoredEvent(row));
  }
  return { state, events };
}

/** The membership of a user in a room now, if any. */
export async function getMembership(
  db: Kysely<Database>,
  roomId: string,
  userId: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('current_state')
    .select('membership')
    .where('room_id', '=', roomId)
    .where('type', '=', 'm.room.member')
    .where('state_key', '=', userId)
    .executeTakeFirst();
  return row?.membership ?? undefined;
}

/**
 * A client transaction: the spec scopes a txnId to the device and the endpoint, so `scope` is the
 * request path between `/rooms/` and the txnId (client-api/rooms/txn-scope.ts).
 */
export interface TxnKey {
  readonly userId: string;
  readonly deviceId: string;
  readonly scope: string;
  readonly txnId: string;
}

export async function getEventIdForTxn(
  db: Kysely<Database>,
  key: TxnKey,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('event_txn_ids')
    .select('event_id')
    .where('user_id', '=', key.userId)
    .where('device_id', '=', key.deviceId)
    .where('scope', '=', key.scope)
    .where('txn_id', '=', key.txnId)
    .executeTakeFirst();
  return row?.event_id;
}
