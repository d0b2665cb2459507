// Room versions as data: every rule that differs between versions is a field here,
// so auth rules, redaction and event ids read a flag instead of comparing version strings.
// https://spec.matrix.org/latest/rooms/

/** How an event's id is obtained. */
export type EventIdFormat =
  /** v1, v2: the sending server picks `$localpart:server` and puts it in the event. */
  | 'server-assigned'
  /** v3: `$` + unpadded standard base64 of the reference hash. */
  | 'reference-hash-base64'
  /** v4 and later: `$` + unpadded URL-safe base64 of the reference hash. */
  | 'reference-hash-url-safe';

/** Which keys survive redaction: each step adds or removes a few keys. */
export type RedactionRules =
  /** v1 to v5: the original algorithm. */
  | 'v1'
  /** v6, v7: `m.room.aliases` content is no longer kept. */
  | 'v6'
  /** v8: `allow` kept in `m.room.join_rules`. */
  | 'v8'
  /** v9, v10: `join_authorised_via_users_server` kept in `m.room.member`. */
  | 'v9'
  /** v11 and later: the updated rules (MSC2176, MSC3821, MSC3989). */
  | 'v11';

export type StateResolutionAlgorithm = 'v1' | 'v2' | 'v2.1';

export interface RoomVersion {
  readonly id: string;
  readonly stable: boolean;
  readonly eventIdFormat: EventIdFormat;
  readonly redaction: RedactionRules;
  readonly stateResolution: StateResolutionAlgorithm;
  /** v5+: a signature made with a key past its `valid_until_ts` is not accepted. */
  readonly enforceKeyValidity: boolean;
  /** v1 to v5: `m.room.aliases` events have their own auth rule. */
  readonly specialCasedAliasesAuth: boolean;
  /** v6+: integers outside [-(2^53)+1, 2^53-1] and floats make an event invalid. */
  readonly strictCanonicalJson: boolean;
  /** v6+: sending `@room` notifications is checked against `notifications` power levels. */
  readonly limitNotificationsPowerLevels: boolean;
  /** v7+: the `knock` join rule and membership. */
  readonly knockJoinRule: boolean;
  /** v8+: the `restricted` join rule. */
  readonly restrictedJoinRule: boolean;
  /** v10+: the `knock_restricted` join rule. */
  readonly knockRestrictedJoinRule: boolean;
  /** v10+: power level values must be integers, not strings. */
  readonly integerOnlyPowerLevels: boolean;
  /** v11+: the create event has no `creator`; its sender is the creator. */
  readonly implicitRoomCreator: boolean;
  /** v11+: `redacts` lives in the content of `m.room.redaction` events. */
  readonly redactsInContent: boolean;
  /** v12+: the room id is derived from the create event's reference hash; the create event has no room_id and is not listed in auth_events. */
  readonly roomIdFromCreateEvent: boolean;
  /** v12+: creators (the create event's sender and `additional_creators`) have infinite power. */
  readonly privilegedCreators: boolean;
}

const v1: RoomVersion = {
  id: '1',
  stable: true,
  eventIdFormat: 'server-assigned',
  redaction: 'v1',
  stateResolution: 'v1',
  enforceKeyValidity: false,
  specialCasedAliasesAuth: true,
  strictCanonicalJson: false,
  limitNotificationsPowerLevels: false,
  knockJoinRule: false,
  restrictedJoinRule: false,
  knockRestrictedJoinRule: false,
  integerOnlyPowerLevels: false,
  implicitRoomCreator: false,
  redactsInContent: false,
  roomIdFromCreateEvent: false,
  privilegedCreators: false,
};
const v2: RoomVersion = { ...v1, id: '2', stateResolution: 'v2' };
const v3: RoomVersion = { ...v2, id: '3', eventIdFormat: 'reference-hash-base64' };
const v4: RoomVersion = { ...v3, id: '4', eventIdFormat: 'reference-hash-url-safe' };
const v5: RoomVersion = { ...v4, id: '5', enforceKeyValidity: true };
const v6: RoomVersion = {
  ...v5,
  id: '6',
  redaction: 'v6',
  specialCasedAliasesAuth: false,
  strictCanonicalJson: true,
  limitNotificationsPowerLevels: true,
};
const v7: RoomVersion = { ...v6, id: '7', knockJoinRule: true };
const v8: RoomVersion = { ...v7, id: '8', redaction: 'v8', restrictedJoinRule: true };
const v9: RoomVersion = { ...v8, id: '9', redaction: 'v9' };
const v10: RoomVersion = {
  ...v9,
  id: '10',
  knockRestrictedJoinRule: true,
  integerOnlyPowerLevels: true,
};
const v11: RoomVersion = {
  ...v10,
  id: '11',
  redaction: 'v11',
  implicitRoomCreator: true,
  redactsInContent: true,
};
const v12: RoomVersion = {
  ...v11,
  id: '12',
  stateResolution: 'v2.1',
  roomIdFromCreateEvent: true,
  privilegedCreators: true,
};

export const ROOM_VERSIONS: ReadonlyMap<string, RoomVersion> = new Map(
  [v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12].map((v) => [v.id, v]),
);

/** Versions Cairn creates rooms in and joins; older ones are understood (event ids, redaction) but not offered. */
export const SUPPORTED_ROOM_VERSIONS: readonly string[] = ['10', '11', '12'];

export function getRoomVersion(id: string): RoomVersion | undefined {
  return ROOM_VERSIONS.get(id);
}

/**
 * The version of new rooms when createRoom names none, also advertised by /capabilities. The spec
 * recommends 12 since v1.16 (a SHOULD); Cairn stays on 10 for now, as Synapse does, because in
 * 12 the creators may not be listed in power_levels.users and Complement's tests (and tools
 * written against Synapse) create rooms and set power levels assuming they can: with 12 as the
 * default, five Complement tests that pass with 10 failed. Clients ask for 12 with room_version.
 */
export const DEFAULT_ROOM_VERSION = '10';
