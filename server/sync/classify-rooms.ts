// Which section of the response each room goes in, from the user's memberships. Pure.
//
// Joined rooms are always listed (an incremental sync drops those with nothing new later); a room
// joined since the token (or left and joined again) is "newly joined" and gets its full state.
// Invites and knocks appear in an initial sync, and in an incremental one when they are new.
// Left and banned rooms appear in an incremental sync when the user left after the token and had
// been in or invited to the room; in an initial (or full-state) sync only with `include_leave`.
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3sync
import type { RoomMembership } from './room-memberships.ts';

export type RoomPlacement =
  | { readonly section: 'join'; readonly room: RoomMembership; readonly newlyJoined: boolean }
  | { readonly section: 'invite' | 'knock'; readonly room: RoomMembership }
  | { readonly section: 'leave'; readonly room: RoomMembership };

export interface ClassifyOptions {
  readonly initial: boolean;
  readonly fullState: boolean;
  readonly includeLeave: boolean;
}

const PRESENT = new Set(['join', 'invite', 'knock']);

export function classifyRooms(
  rooms: readonly RoomMembership[],
  options: ClassifyOptions,
): RoomPlacement[] {
  const placements: RoomPlacement[] = [];
  for (const room of rooms) {
    const membership = room.current.membership;
    const changed = room.changes.length > 0;
    switch (membership) {
      case 'join': {
        const newlyJoined =
          !options.initial &&
          changed &&
          (room.previous?.membership !== 'join' ||
            room.changes.some((change) => change.membership !== 'join'));
        placements.push({ section: 'join', room, newlyJoined });
        break;
      }
      case 'invite':
      case 'knock':
        if (options.initial || changed) placements.push({ section: membership, room });
        break;
      case 'leave':
      case 'ban':
        if (wantsLeft(room, options)) placements.push({ section: 'leave', room });
        break;
    }
  }
  return placements;
}

function wantsLeft(room: RoomMembership, options: ClassifyOptions): boolean {
  // Every archived room: an initial sync, or a full-state one, that asks for them.
  if (options.includeLeave && (options.initial || options.fullState)) return true;
  if (options.initial) return false;
  // Otherwise only a departure since the token, from a room the client knew of.
  const knew = [room.previous, ...room.changes].some((row) => PRESENT.has(row?.membership ?? ''));
  return room.changes.length > 0 && knew;
}
