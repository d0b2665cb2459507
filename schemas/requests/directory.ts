// Bodies of the room alias and published room directory endpoints.
// https://spec.matrix.org/latest/client-server-api/#room-aliases
// https://spec.matrix.org/latest/client-server-api/#published-room-directory

/** PUT /directory/room/{roomAlias}. */
export const setRoomAliasBody = {
  type: 'object',
  required: ['room_id'],
  properties: { room_id: { type: 'string', pattern: '^!', maxLength: 255 } },
} as const;

export interface SetRoomAliasBody {
  room_id: string;
}

/** PUT /directory/list/room/{roomId}. */
export const roomVisibilityBody = {
  type: 'object',
  properties: { visibility: { enum: ['public', 'private'] } },
} as const;

export interface RoomVisibilityBody {
  visibility?: 'public' | 'private';
}

/** POST /publicRooms. */
export const publicRoomsBody = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 0 },
    since: { type: 'string', maxLength: 64 },
    filter: {
      type: 'object',
      properties: {
        generic_search_term: { type: 'string', maxLength: 1000 },
        room_types: { type: 'array', items: { type: ['string', 'null'] }, maxItems: 100 },
      },
    },
    include_all_networks: { type: 'boolean' },
    third_party_instance_id: { type: 'string' },
  },
} as const;

export interface PublicRoomsBody {
  limit?: number;
  since?: string;
  filter?: { generic_search_term?: string; room_types?: (string | null)[] };
  include_all_networks?: boolean;
  third_party_instance_id?: string;
}

/** Query of GET /publicRooms, and `server` of both. */
export const publicRoomsQuery = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 0 },
    since: { type: 'string', maxLength: 64 },
    server: { type: 'string', maxLength: 255 },
  },
} as const;

export interface PublicRoomsQueryString {
  limit?: number;
  since?: string;
  server?: string;
}
