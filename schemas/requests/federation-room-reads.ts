// Path parameters, query strings and bodies of the federation endpoints that read a room's data
// (federation/routes/room-read-endpoints.ts). Query values arrive as text and are coerced to these
// types: a missing one is 400 M_MISSING_PARAM, a malformed one 400 M_INVALID_PARAM.
// https://spec.matrix.org/latest/server-server-api/#retrieving-events
// https://spec.matrix.org/latest/server-server-api/#backfilling-and-retrieving-missing-events

const id = { type: 'string', minLength: 1, maxLength: 1000 } as const;
const eventIds = (maxItems: number) => ({ type: 'array', items: id, maxItems }) as const;

export const roomIdParams = {
  type: 'object',
  required: ['roomId'],
  properties: { roomId: id },
} as const;

export interface RoomIdParams {
  roomId: string;
}

export const eventIdParams = {
  type: 'object',
  required: ['eventId'],
  properties: { eventId: id },
} as const;

export interface EventIdParams {
  eventId: string;
}

export const roomEventParams = {
  type: 'object',
  required: ['roomId', 'eventId'],
  properties: { roomId: id, eventId: id },
} as const;

export interface RoomEventParams {
  roomId: string;
  eventId: string;
}

/** /state and /state_ids. */
export const stateAtEventQuery = {
  type: 'object',
  required: ['event_id'],
  properties: { event_id: id },
} as const;

export interface StateAtEventQuery {
  event_id: string;
}

/** /backfill: `v` may repeat; the limit is clamped by the handler. */
export const backfillQuery = {
  type: 'object',
  required: ['v', 'limit'],
  properties: {
    v: { ...eventIds(100), minItems: 1 },
    limit: { type: 'integer', minimum: 1 },
  },
} as const;

export interface BackfillQuery {
  v: string[];
  limit: number;
}

/** POST /get_missing_events. */
export const missingEventsBody = {
  type: 'object',
  required: ['earliest_events', 'latest_events'],
  properties: {
    earliest_events: eventIds(1000),
    latest_events: eventIds(100),
    limit: { type: 'integer', minimum: 0 },
    min_depth: { type: 'integer' },
  },
} as const;

export interface MissingEventsBody {
  earliest_events: string[];
  latest_events: string[];
  limit?: number;
  min_depth?: number;
}

/** /timestamp_to_event. */
export const timestampQuery = {
  type: 'object',
  required: ['ts', 'dir'],
  properties: {
    ts: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    dir: { enum: ['f', 'b'] },
  },
} as const;

export interface TimestampQuery {
  ts: number;
  dir: 'f' | 'b';
}

/** /query/directory. */
export const directoryQuery = {
  type: 'object',
  required: ['room_alias'],
  properties: { room_alias: { type: 'string', maxLength: 1000 } },
} as const;

export interface DirectoryQuery {
  room_alias: string;
}

/** /query/profile. */
export const profileQuery = {
  type: 'object',
  required: ['user_id'],
  properties: {
    user_id: { type: 'string', maxLength: 1000 },
    field: { type: 'string', maxLength: 1000 },
  },
} as const;

export interface ProfileQuery {
  user_id: string;
  field?: string;
}

/** GET /publicRooms over federation: the POST body's options as query parameters. */
export const federationPublicRoomsQuery = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 0 },
    since: { type: 'string', maxLength: 64 },
    include_all_networks: { type: 'boolean' },
    third_party_instance_id: { type: 'string', maxLength: 1000 },
  },
} as const;

export interface FederationPublicRoomsQuery {
  limit?: number;
  since?: string;
  include_all_networks?: boolean;
  third_party_instance_id?: string;
}
