// /sync's unread notification counts, from the push actions recorded when events were persisted
// (rooms/record-push-actions.ts) and the user's read receipts. Counts are read afresh for every
// response rather than kept as a stream: a room whose counts changed is in the response anyway,
// by its new event or by the receipt that changed them.
// https://spec.matrix.org/latest/client-server-api/#receiving-notifications
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3sync (unread_thread_notifications)
import { countUnread } from '../storage/push-actions.ts';
import type { RoomUnreadCounts, UnreadCounts, UnreadCountsSource } from '../sync/sync-sources.ts';

export const unreadCountsSource: UnreadCountsSource = {
  async collect(ctx, query) {
    const rows = await countUnread(ctx.db, query);
    const byRoom = new Map<string, { main: UnreadCounts; threads: Record<string, UnreadCounts> }>();
    for (const row of rows) {
      let room = byRoom.get(row.roomId);
      if (!room) {
        room = { main: { notification_count: 0, highlight_count: 0 }, threads: {} };
        byRoom.set(row.roomId, room);
      }
      const counts = { notification_count: row.notifications, highlight_count: row.highlights };
      // Without per-thread counts, a thread's notifications are the room's.
      if (row.threadId === null || !query.perThread) room.main = add(room.main, counts);
      else room.threads[row.threadId] = add(room.threads[row.threadId], counts);
    }
    const result = new Map<string, RoomUnreadCounts>();
    for (const [roomId, { main, threads }] of byRoom) {
      result.set(roomId, query.perThread ? { ...main, threads } : main);
    }
    return result;
  },
};

function add(a: UnreadCounts | undefined, b: UnreadCounts): UnreadCounts {
  return {
    notification_count: (a?.notification_count ?? 0) + b.notification_count,
    highlight_count: (a?.highlight_count ?? 0) + b.highlight_count,
  };
}
