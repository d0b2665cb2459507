// Inbound m.presence: presence of the sending server's users, stored as that server decided it
// and shown to local room-mates through /sync. Kept only for users joined to a room here: nobody
// else could see it. The sender repeats an online user's presence now and then; without word
// for REMOTE_PRESENCE_TIMEOUT_MS, the user is taken as gone offline (the local timeouts of
// server/presence/presence-state.ts run from syncing_until_ts).
// https://spec.matrix.org/latest/server-server-api/#presence
import type { Context } from '../../server/context.ts';
import { isJsonObject, type JsonObject } from '../../server/core/pdu.ts';
import { publishRemotePresence } from '../../server/presence/presence-writer.ts';
import type { PresenceRecord } from '../../server/storage/presence.ts';
import { listRoomsWithMembership } from '../../server/storage/room-members.ts';
import { isUserOf } from './edu-sender.ts';

export const REMOTE_PRESENCE_TIMEOUT_MS = 30 * 60_000;
const STATES = new Set(['online', 'unavailable', 'offline']);

export async function receivePresence(
  ctx: Context,
  origin: string,
  content: JsonObject,
): Promise<void> {
  const { push } = content;
  if (!Array.isArray(push)) return;
  const now = ctx.now();
  const records = new Map<string, PresenceRecord>();
  for (const entry of push) {
    const record = recordOf(entry, origin, now);
    if (!record) continue;
    if ((await listRoomsWithMembership(ctx.db, record.userId, 'join')).length === 0) continue;
    records.set(record.userId, record);
  }
  await publishRemotePresence(ctx, [...records.values()]);
}

function recordOf(entry: unknown, origin: string, now: number): PresenceRecord | undefined {
  if (!isJsonObject(entry)) return undefined;
  const {
    user_id: userId,
    presence,
    last_active_ago: ago,
    status_msg: statusMsg,
    currently_active: active,
  } = entry;
  if (!isUserOf(userId, origin) || typeof presence !== 'string' || !STATES.has(presence)) {
    return undefined;
  }
  if (typeof ago !== 'number' || !Number.isSafeInteger(ago) || ago < 0) return undefined;
  const state = presence as PresenceRecord['state'];
  return {
    userId,
    state,
    statusMsg: typeof statusMsg === 'string' ? statusMsg : null,
    lastActiveTs: Math.max(0, now - ago),
    syncingUntilTs: state === 'offline' ? 0 : now + REMOTE_PRESENCE_TIMEOUT_MS,
    currentlyActive: active === true,
  };
}
