// A room's power levels now, for the checks the client API makes beside the auth rules (who may
// delete an alias or publish the room). Levels are read with the room engine's own functions,
// so v12 creators are infinitely powerful here as they are in the rules.
import type { Kysely } from 'kysely';
import {
  getNamedLevel,
  getRequiredEventLevel,
  getUserPowerLevel,
  type PowerLevelField,
} from '../core/auth-rules/power-levels.ts';
import type { Pdu } from '../core/pdu.ts';
import type { RoomVersion } from '../core/room-versions.ts';
import { type StateMap, stateKey } from '../core/state-map.ts';
import {
  CREATE_AND_POWER,
  getCurrentState,
  getCurrentStateEntries,
  getEvents,
  loadRoomVersion,
} from '../storage/events.ts';
import type { Database } from '../storage/schema.ts';

export interface RoomPower {
  readonly version: RoomVersion;
  /** Current state: all of it, or only the keys asked for (and create and power levels). */
  readonly state: StateMap;
  readonly create: Pdu | undefined;
  readonly powerLevels: Pdu | undefined;
  levelOf(userId: string): number;
  /** The level a power levels field (`invite`, `kick`, ...) asks for. */
  required(field: PowerLevelField): number;
  canSendState(userId: string, type: string): boolean;
}

/**
 * Undefined for a room this server does not know. With `keys`, `state` holds only those (and
 * create and power levels): a caller that needs a few keys of a room of thousands of members
 * does not read them all.
 */
export async function loadRoomPower(
  db: Kysely<Database>,
  roomId: string,
  keys?: readonly (readonly [type: string, stateKey: string])[],
): Promise<RoomPower | undefined> {
  const version = await loadRoomVersion(db, roomId);
  if (!version) return undefined;
  const state = keys
    ? await getCurrentStateEntries(db, roomId, [...CREATE_AND_POWER, ...keys])
    : await getCurrentState(db, roomId);
  const createId = state.get(stateKey('m.room.create', ''));
  const powerId = state.get(stateKey('m.room.power_levels', ''));
  const events = await getEvents(
    db,
    [createId, powerId].filter((id): id is string => id !== undefined),
  );
  const create = createId === undefined ? undefined : events.get(createId)?.pdu;
  const powerLevels = powerId === undefined ? undefined : events.get(powerId)?.pdu;
  const levelOf = (userId: string) => getUserPowerLevel(version, create, powerLevels, userId);
  return {
    version,
    state,
    create,
    powerLevels,
    levelOf,
    required: (field) => getNamedLevel(version, powerLevels, field),
    canSendState: (userId, type) =>
      levelOf(userId) >= getRequiredEventLevel(version, powerLevels, type, true),
  };
}
