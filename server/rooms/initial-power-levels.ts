// The m.room.power_levels content a new room starts with, per preset, before the client's
// power_level_content_override is merged over it. Pure.
import type { JsonObject } from '../core/pdu.ts';
import type { RoomVersion } from '../core/room-versions.ts';

export type RoomPreset = 'private_chat' | 'public_chat' | 'trusted_private_chat';

export function initialPowerLevels(
  version: RoomVersion,
  creator: string,
  preset: RoomPreset,
  invitees: readonly string[],
): JsonObject {
  const users: JsonObject = {};
  // v12: creators have infinite power and must not be listed.
  if (!version.privilegedCreators) users[creator] = 100;
  // v12 makes them additional creators instead (create-room.ts).
  if (preset === 'trusted_private_chat' && !version.privilegedCreators) {
    for (const user of invitees) users[user] = 100;
  }
  return {
    users,
    users_default: 0,
    events: {
      'm.room.name': 50,
      'm.room.power_levels': 100,
      'm.room.history_visibility': 100,
      'm.room.canonical_alias': 50,
      'm.room.avatar': 50,
      // v12 reserves 150 for upgrades so that only creators can tombstone a room.
      'm.room.tombstone': version.privilegedCreators ? 150 : 100,
      'm.room.server_acl': 100,
      'm.room.encryption': 100,
    },
    events_default: 0,
    state_default: 50,
    ban: 50,
    kick: 50,
    redact: 50,
    invite: preset === 'public_chat' ? 50 : 0,
    historical: 100,
    notifications: { room: 50 },
  };
}
