// The EDUs the sender makes of local users' typing, read receipts and presence, and the servers
// each goes to: those with a joined member in the room (typing, receipts), or in any room the
// user is joined to (presence).
// https://spec.matrix.org/latest/server-server-api/#typing-notifications
// https://spec.matrix.org/latest/server-server-api/#receipts
// https://spec.matrix.org/latest/server-server-api/#presence
import type { Kysely } from 'kysely';
import type { JsonObject } from '../../server/core/pdu.ts';
import type { WrittenReceipt } from '../../server/ephemeral/set-receipt.ts';
import type { TypingChange } from '../../server/ephemeral/typing-tracker.ts';
import { presenceContent } from '../../server/presence/presence-state.ts';
import type { OutboundEdu } from '../../server/storage/federation-queue.ts';
import type { PresenceRecord } from '../../server/storage/presence.ts';
import { listRoomsWithMembership } from '../../server/storage/room-members.ts';
import { joinedServersOf } from '../../server/storage/room-servers.ts';
import type { Database } from '../../server/storage/schema.ts';

/** Peers time typing out after about a minute: a typing EDU older than that says nothing. */
export const TYPING_EDU_TTL_MS = 60_000;
/** Presence older than this is left for the next change (or the user's next sync) to refresh. */
export const PRESENCE_EDU_TTL_MS = 30 * 60_000;

export function typingEdu(change: TypingChange): OutboundEdu {
  return {
    edu_type: 'm.typing',
    content: { room_id: change.roomId, user_id: change.userId, typing: change.typing },
  };
}

/** Only m.read: private receipts never leave the server. */
export function receiptEdu(receipt: WrittenReceipt): OutboundEdu {
  const data: JsonObject = { ts: receipt.ts };
  if (receipt.threadId !== '') data.thread_id = receipt.threadId;
  return {
    edu_type: 'm.receipt',
    content: {
      [receipt.roomId]: {
        [receipt.receiptType]: { [receipt.userId]: { event_ids: [receipt.eventId], data } },
      },
    },
  };
}

/** What the user's room-mates see at `now`, as one m.presence push entry per user. */
export function presenceEdu(records: readonly PresenceRecord[], now: number): OutboundEdu {
  const push = records.map((record) => {
    const content = presenceContent(record, now);
    // Required by the EDU; a user never active has been idle since forever.
    return { user_id: record.userId, last_active_ago: now, ...content };
  });
  return { edu_type: 'm.presence', content: { push } };
}

/** Other servers with a joined member in the room. */
export async function otherServersInRoom(
  db: Kysely<Database>,
  roomId: string,
  ourServer: string,
): Promise<string[]> {
  return (await joinedServersOf(db, roomId)).filter((server) => server !== ourServer);
}

/** Other servers sharing at least one joined room with the user. */
export async function otherServersSharingRoomsWith(
  db: Kysely<Database>,
  userId: string,
  ourServer: string,
): Promise<string[]> {
  const servers = new Set<string>();
  for (const roomId of await listRoomsWithMembership(db, userId, 'join')) {
    for (const server of await otherServersInRoom(db, roomId, ourServer)) servers.add(server);
  }
  return [...servers].sort();
}
