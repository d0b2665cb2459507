// After a user changes their display name or avatar, every room they are joined to gets a new
// join event carrying the new profile: member events are where other members read names from.
// A room that refuses the event, or fails, is logged and skipped so one room cannot stop the rest.
// https://spec.matrix.org/latest/client-server-api/#events-on-change-of-profile-information
import type { Context } from '../context.ts';
import type { JsonObject } from '../core/pdu.ts';
import { getEvent } from '../storage/events.ts';
import { getCurrentMember, listRoomsWithMembership } from '../storage/room-members.ts';
import { KeyedMutex } from './keyed-mutex.ts';
import { memberProfile } from './member-profile.ts';
import { roomDepsOf } from './room-deps.ts';
import { sendLocalEvent } from './send-local-event.ts';

export async function propagateProfileChange(ctx: Context, userId: string): Promise<void> {
  const profile = await memberProfile(ctx.db, ctx.config.serverName, userId);
  // The membership check and the send share the room's lock: were a leave to slip in between,
  // this "profile update" would join the user again. sendLocalEvent gets a private mutex so it
  // does not wait for the lock held here.
  const deps = { ...roomDepsOf(ctx), roomLocks: new KeyedMutex() };
  for (const roomId of await listRoomsWithMembership(ctx.db, userId, 'join')) {
    try {
      await ctx.roomLocks.run(roomId, async () => {
        const member = await getCurrentMember(ctx.db, roomId, userId);
        if (member?.membership !== 'join') return;
        const previous = (await getEvent(ctx.db, member.eventId))?.pdu.content;
        if (previous && sameProfile(previous, profile)) return;
        await sendLocalEvent(deps, roomId, {
          type: 'm.room.member',
          stateKey: userId,
          sender: userId,
          content: { ...profile, membership: 'join' },
        });
      });
    } catch (err) {
      ctx.logger.warn({ err, roomId, userId }, 'profile change not sent to room');
    }
  }
}

function sameProfile(content: JsonObject, profile: JsonObject): boolean {
  return content.displayname === profile.displayname && content.avatar_url === profile.avatar_url;
}
