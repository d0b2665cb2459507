// A filter, as uploaded with POST /user/{userId}/filter and given inline to /sync and /messages.
// https://spec.matrix.org/latest/client-server-api/#filtering
// The shape is checked, and that room and sender lists hold ids; unknown keys are kept, as the
// spec adds fields over time. Lists are bounded so that a stored filter cannot make every later
// /sync expensive.

const MAX_LIST = 1000;
const listOf = (item: Record<string, unknown>) =>
  ({
    type: 'array',
    maxItems: MAX_LIST,
    items: { type: 'string', maxLength: 255, ...item },
  }) as const;
const strings = listOf({});
// Room and user lists must hold room and user ids (as Synapse checks): a filter naming
// `not_a_room_id` is a client bug better reported than silently matching nothing. Room ids of
// room version 12 have no server part (`!<hash>`), so only the sigil is required of them.
const roomIds = listOf({ pattern: '^!\\S+$' });
const userIds = listOf({ pattern: '^@[^:]+:.+$' });

const eventFilterProperties = {
  // The spec asks for an integer greater than 0; Synapse accepts 0 and clients send it, so 0 is
  // let through and left to the reader of the filter to treat as "nothing".
  limit: { type: 'integer', minimum: 0 },
  not_senders: userIds,
  not_types: strings,
  senders: userIds,
  types: strings,
};

const eventFilter = { type: 'object', properties: eventFilterProperties } as const;

const roomEventFilter = {
  type: 'object',
  properties: {
    ...eventFilterProperties,
    unread_thread_notifications: { type: 'boolean' },
    lazy_load_members: { type: 'boolean' },
    include_redundant_members: { type: 'boolean' },
    not_rooms: roomIds,
    rooms: roomIds,
    contains_url: { type: 'boolean' },
  },
} as const;

export const syncFilter = {
  type: 'object',
  properties: {
    event_fields: strings,
    event_format: { enum: ['client', 'federation'] },
    presence: eventFilter,
    account_data: eventFilter,
    room: {
      type: 'object',
      properties: {
        not_rooms: roomIds,
        rooms: roomIds,
        ephemeral: roomEventFilter,
        include_leave: { type: 'boolean' },
        state: roomEventFilter,
        timeline: roomEventFilter,
        account_data: roomEventFilter,
      },
    },
  },
} as const;

export interface EventFilter {
  limit?: number;
  not_senders?: string[];
  not_types?: string[];
  senders?: string[];
  types?: string[];
}

export interface RoomEventFilter extends EventFilter {
  unread_thread_notifications?: boolean;
  lazy_load_members?: boolean;
  include_redundant_members?: boolean;
  not_rooms?: string[];
  rooms?: string[];
  contains_url?: boolean;
}

export interface SyncFilter {
  event_fields?: string[];
  event_format?: 'client' | 'federation';
  presence?: EventFilter;
  account_data?: EventFilter;
  room?: {
    not_rooms?: string[];
    rooms?: string[];
    ephemeral?: RoomEventFilter;
    include_leave?: boolean;
    state?: RoomEventFilter;
    timeline?: RoomEventFilter;
    account_data?: RoomEventFilter;
  };
}
