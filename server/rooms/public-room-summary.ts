// A published room as the directory shows it (PublishedRoomsChunk), from the room's current
// state. Pure: values of the wrong shape (state is whatever members sent) are left out rather
// than passed on.
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3publicrooms
import type { JsonObject } from '../core/pdu.ts';
import { isJsonObject } from '../core/pdu.ts';
import { parseRoomAlias } from '../core/room-alias.ts';

/** The state event types a summary reads (each with state key ""). */
export const SUMMARY_STATE_TYPES = [
  'm.room.create',
  'm.room.name',
  'm.room.topic',
  'm.room.avatar',
  'm.room.canonical_alias',
  'm.room.join_rules',
  'm.room.history_visibility',
  'm.room.guest_access',
] as const;

export interface PublicRoomSummary {
  room_id: string;
  num_joined_members: number;
  world_readable: boolean;
  guest_can_join: boolean;
  name?: string;
  topic?: string;
  canonical_alias?: string;
  avatar_url?: string;
  join_rule?: string;
  room_type?: string;
}

export function summarizePublicRoom(
  roomId: string,
  state: ReadonlyMap<string, JsonObject>,
  joinedMembers: number,
): PublicRoomSummary {
  const field = (type: string, key: string) => {
    const value = state.get(type)?.[key];
    return typeof value === 'string' ? value : undefined;
  };
  const summary: PublicRoomSummary = {
    room_id: roomId,
    num_joined_members: joinedMembers,
    world_readable: field('m.room.history_visibility', 'history_visibility') === 'world_readable',
    guest_can_join: field('m.room.guest_access', 'guest_access') === 'can_join',
  };
  const name = field('m.room.name', 'name');
  if (name) summary.name = name;
  const topic = plainTopic(state.get('m.room.topic'));
  if (topic) summary.topic = topic;
  const alias = field('m.room.canonical_alias', 'alias');
  if (alias && parseRoomAlias(alias)) summary.canonical_alias = alias;
  const avatar = field('m.room.avatar', 'url');
  if (avatar?.startsWith('mxc://')) summary.avatar_url = avatar;
  const joinRule = field('m.room.join_rules', 'join_rule');
  if (joinRule) summary.join_rule = joinRule;
  const roomType = field('m.room.create', 'type');
  if (roomType) summary.room_type = roomType;
  return summary;
}

// "Omitted if no text/plain mimetype exists": the text/plain representation in `m.topic`
// (a block without a mimetype is text/plain), else the plain `topic` string.
function plainTopic(content: JsonObject | undefined): string | undefined {
  const blocks = content?.['m.topic'];
  if (isJsonObject(blocks) && Array.isArray(blocks['m.text'])) {
    for (const block of blocks['m.text']) {
      if (!isJsonObject(block) || typeof block.body !== 'string') continue;
      if ((block.mimetype ?? 'text/plain') === 'text/plain') return block.body;
    }
  }
  return typeof content?.topic === 'string' ? content.topic : undefined;
}
