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
  /** Local users joined to the room, with what their push rules need. */
  readonly members: readonly PushRecipient[];
  /** Every joined member, local or remote (`room_member_count`). */
  readonly memberCount: number;
  /** Whether the sender has notifications in the room that their event may mark as read. */
  readonly senderHasUnread: boolean;
}

/**
 * The room's local joined members (those with an account here) with their member events and
 * stored push rules, the room's joined member count, and whether the sender has anything unread:
 * one query, whatever the number of members. With no local member the rest is not needed.
 * Display names are not read here: parsing every member event's JSON on every send cost more
 * than the rest of the query (rooms/record-push-actions.ts caches them by event id instead).
 */
export async function loadPushRecipients(
  db: Kysely<Database>,
  roomId: string,
  senderId: string,
): Promise<PushRecipients> {
  // The uncorrelated subqueries run once per query, not per row.
  const { rows } = await sql<{
    user_id: string;
    member_event_id: string;
    rules: string | null;
    member_count: number | string;
    sender_has_unread: boolean;
  }>`
    SELECT u.user_id, s.event_id AS member_event_id, a.content AS rules,
      (SELECT count(*) FROM current_state c WHERE c.room_id = ${roomId}
        AND c.type = 'm.room.member' AND c.membership = 'join') AS member_count,
      EXISTS (SELECT 1 FROM event_push_actions p WHERE p.user_id = ${senderId}
        AND p.room_id = ${roomId}) AS sender_has_unread
    FROM current_state s
    JOIN users u ON u.user_id = s.state_key
    LEFT JOIN account_data a ON a.user_id = u.user_id AND a.room_id = ${GLOBAL_ACCOUNT_DATA}
      AND a.type = 'm.push_rules'
    WHERE s.room_id = ${roomId} AND s.type = 'm.room.member' AND s.membership = 'join'`.execute(db);
  return {
    members: rows.map((row) => ({
      userId: row.user_id,
      memberEventId: row.member_event_id,
      storedRules: row.rules,
    })),
    memberCount: Number(rows[0]?.member_count ?? 0),
    senderHasUnread: rows[0]?.sender_has_unread === true,
  };
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

export async function insertPushActions(
  db: Kysely<Database>,
  rows: readonly PushActionRow[],
): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('event_push_actions')
    .values(
      rows.map((row) => ({
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
