// Push actions: who an event notified, and the unread counts /sync derives from them. Writes run
// in the persist transaction (rooms/record-push-actions.ts); reads serve /sync.
// https://spec.matrix.org/latest/client-server-api/#receiving-notifications
import { type Kysely, sql } from 'kysely';
import { GLOBAL_ACCOUNT_DATA } from './account-data.ts';
import type { Database } from './schema.ts';

export interface PushRecipient {
  readonly userId: string;
  /** Their member event, whose `displayname` is their name in the room. */
  readonly memberEventId: string;
  /** The `global` rule set of their `m.push_rules` account data, as stored (JSON text). */
  readonly storedRules: string | null;
}

export interface PushRecipients {
  /**
   * Local users joined to the room, with what their push rules need: all of them, or with
   * `named` only those with stored push rules or in `named`.
   */
  readonly members: readonly PushRecipient[];
  /** With `named`: how many local joined members are left out (no stored rules, not named). */
  readonly othersWithDefaults: number;
  /** Every joined member, local or remote (`room_member_count`). */
  readonly memberCount: number;
  /** Whether the sender has notifications in the room that their event may mark as read. */
  readonly senderHasUnread: boolean;
}

/**
 * The room's local joined members (those with an account here) with their member events and
 * stored push rules, the room's joined member count, and whether the sender has anything unread:
 * one query, whatever the number of members.
 *
 * With `named` (not empty), members with only the default rules who are not in it are counted,
 * not listed: every one of them gets the same outcome from an event that does not name them
 * (push/default-push-rules.ts), and insertDefaultPushActions writes it for them in the database.
 * Listing all of a room of 10,000 members took most of the time of each event sent in it.
 * Display names are not read here: parsing every member event's JSON on every send cost more
 * than the rest of the query (rooms/record-push-actions.ts caches them by event id instead).
 */
export async function loadPushRecipients(
  db: Kysely<Database>,
  roomId: string,
  senderId: string,
  named?: readonly string[],
): Promise<PushRecipients> {
  const listed =
    named && named.length > 0
      ? sql`j.rules IS NOT NULL OR j.user_id IN (${sql.join(named)})`
      : sql`true`;
  const leftOut =
    named && named.length > 0
      ? sql`j.rules IS NULL AND j.user_id NOT IN (${sql.join(named)})`
      : sql`false`;
  const { rows } = await sql<{
    members: string | [string, string, string | null][] | null;
    others: number | string;
    member_count: number | string;
    sender_has_unread: boolean;
  }>`
    WITH j AS (${localJoined(roomId)})
    SELECT
      (SELECT json_agg(json_build_array(j.user_id, j.member_event_id, j.rules))
        FROM j WHERE ${listed}) AS members,
      (SELECT count(*) FROM j WHERE ${leftOut}) AS others,
      (SELECT count(*) FROM current_state c WHERE c.room_id = ${roomId}
        AND c.type = 'm.room.member' AND c.membership = 'join') AS member_count,
      EXISTS (SELECT 1 FROM event_push_actions p WHERE p.user_id = ${senderId}
        AND p.room_id = ${roomId}) AS sender_has_unread`.execute(db);
  const row = rows[0]!;
  const members = typeof row.members === 'string' ? JSON.parse(row.members) : row.members;
  return {
    members: ((members ?? []) as [string, string, string | null][]).map(
      ([userId, memberEventId, storedRules]) => ({ userId, memberEventId, storedRules }),
    ),
    othersWithDefaults: Number(row.others),
    memberCount: Number(row.member_count),
    senderHasUnread: row.sender_has_unread === true,
  };
}

/** Local joined members of a room: user id, member event id, stored push rules (or null). */
function localJoined(roomId: string) {
  return sql`
    SELECT u.user_id, s.event_id AS member_event_id, a.content AS rules
    FROM current_state s
    JOIN users u ON u.user_id = s.state_key
    LEFT JOIN account_data a ON a.user_id = u.user_id AND a.room_id = ${GLOBAL_ACCOUNT_DATA}
      AND a.type = 'm.push_rules'
    WHERE s.room_id = ${roomId} AND s.type = 'm.room.member' AND s.membership = 'join'`;
}

/**
 * The one outcome of every local joined member with only the default rules who is not in
 * `named` (loadPushRecipients' `othersWithDefaults`), written in the database.
 */
export async function insertDefaultPushActions(
  db: Kysely<Database>,
  action: Omit<PushActionRow, 'userId'> & { readonly named: readonly string[] },
): Promise<void> {
  if (action.named.length === 0) throw new Error('insertDefaultPushActions needs named users');
  await sql`
    WITH j AS (${localJoined(action.roomId)})
    INSERT INTO event_push_actions
      (event_id, user_id, room_id, stream_ordering, thread_id, notify, highlight)
    SELECT ${action.eventId}::text, j.user_id, ${action.roomId}::text,
      ${action.streamOrdering}::bigint, ${action.threadId}::text, ${action.notify}::boolean,
      ${action.highlight}::boolean
    FROM j WHERE j.rules IS NULL AND j.user_id NOT IN (${sql.join(action.named)})`.execute(db);
}

export interface PushActionRow {
  readonly eventId: string;
  readonly userId: string;
  readonly roomId: string;
  readonly streamOrdering: number;
  readonly threadId: string | null;
  readonly notify: boolean;
  readonly highlight: boolean;
}

/** Rows per INSERT: 7 parameters each, well under PGlite's 32,767 per statement. */
const ROWS_PER_INSERT = 2000;

export async function insertPushActions(
  db: Kysely<Database>,
  rows: readonly PushActionRow[],
): Promise<void> {
  for (let at = 0; at < rows.length; at += ROWS_PER_INSERT) {
    await db
      .insertInto('event_push_actions')
      .values(
        rows.slice(at, at + ROWS_PER_INSERT).map((row) => ({
          event_id: row.eventId,
          user_id: row.userId,
          room_id: row.roomId,
          stream_ordering: row.streamOrdering,
          thread_id: row.threadId,
          notify: row.notify,
          highlight: row.highlight,
        })),
      )
      .execute();
  }
}

/**
 * Marks as read a user's notifications in a room before a stream position: in one thread (null
 * for the main timeline), or in all of them.
 */
export async function clearPushActions(
  db: Kysely<Database>,
  clear: {
    readonly userId: string;
    readonly roomId: string;
    readonly before: number;
    readonly threadId: string | null | 'all';
  },
): Promise<void> {
  let query = db
    .deleteFrom('event_push_actions')
    .where('user_id', '=', clear.userId)
    .where('room_id', '=', clear.roomId)
    .where('stream_ordering', '<', clear.before);
  if (clear.threadId === null) query = query.where('thread_id', 'is', null);
  else if (clear.threadId !== 'all') query = query.where('thread_id', '=', clear.threadId);
  await query.execute();
}

/**
 * A redacted event notifies no more (as in Synapse): its rows go once the redaction is applied,
 * that is once `redactionId` is the target's `redacted_by`. `targetIds` are the ids the redaction
 * may name (top-level `redacts` before v11, `content.redacts` after).
 */
export async function forgetRedactedPushActions(
  db: Kysely<Database>,
  redactionId: string,
  targetIds: readonly string[],
): Promise<void> {
  if (targetIds.length === 0) return;
  await db
    .deleteFrom('event_push_actions')
    .where('event_id', 'in', [...targetIds])
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('events')
          .select('events.event_id')
          .whereRef('events.event_id', '=', 'event_push_actions.event_id')
          .where('events.redacted_by', '=', redactionId),
      ),
    )
    .execute();
}

export interface UnreadRow {
  readonly roomId: string;
  /** Null for the main timeline. */
  readonly threadId: string | null;
  readonly notifications: number;
  readonly highlights: number;
}

/**
 * A user's unread notification and highlight counts per room and thread, up to a stream position.
 * An event is read when the user's latest `m.read` or `m.read.private` receipt is at or after it:
 * an unthreaded receipt covers every thread, a threaded one (`main` for the main timeline) only
 * its own. Rows with nothing unread are left out.
 */
export async function countUnread(
  db: Kysely<Database>,
  query: { readonly userId: string; readonly roomIds: readonly string[]; readonly upTo: number },
): Promise<UnreadRow[]> {
  if (query.roomIds.length === 0) return [];
  const rooms = sql.join([...new Set(query.roomIds)]);
  const { rows } = await sql<{
    room_id: string;
    thread_id: string | null;
    notifications: number | string;
    highlights: number | string;
  }>`
    WITH reads AS (
      SELECT r.room_id, r.thread_id, max(e.stream_ordering) AS position
      FROM receipts r JOIN events e ON e.event_id = r.event_id
      WHERE r.user_id = ${query.userId} AND r.room_id IN (${rooms})
        AND r.receipt_type IN ('m.read', 'm.read.private')
      GROUP BY r.room_id, r.thread_id
    )
    SELECT a.room_id, a.thread_id,
      count(*) FILTER (WHERE a.notify) AS notifications,
      count(*) FILTER (WHERE a.highlight) AS highlights
    FROM event_push_actions a
    LEFT JOIN reads unthreaded ON unthreaded.room_id = a.room_id AND unthreaded.thread_id = ''
    LEFT JOIN reads threaded ON threaded.room_id = a.room_id
      AND threaded.thread_id = coalesce(a.thread_id, 'main')
    WHERE a.user_id = ${query.userId} AND a.room_id IN (${rooms})
      AND a.stream_ordering <= ${query.upTo}
      AND a.stream_ordering > coalesce(unthreaded.position, 0)
      AND a.stream_ordering > coalesce(threaded.position, 0)
    GROUP BY a.room_id, a.thread_id`.execute(db);
  return rows.map((row) => ({
    roomId: row.room_id,
    threadId: row.thread_id,
    notifications: Number(row.notifications),
    highlights: Number(row.highlights),
  }));
}
