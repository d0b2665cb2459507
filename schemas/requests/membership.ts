// Bodies of the room membership endpoints: join, leave, knock, invite, kick, ban, unban.
// https://spec.matrix.org/latest/client-server-api/#room-membership
const userId = { type: 'string', pattern: '^@[^:]+:.+$', maxLength: 255 };
const reason = { type: 'string', maxLength: 4096 };

/** POST /rooms/{roomId}/join and /join/{roomIdOrAlias}. */
export const joinBody = {
  type: 'object',
  properties: { reason, third_party_signed: { type: 'object' } },
} as const;

export interface JoinBody {
  reason?: string;
  third_party_signed?: Record<string, unknown>;
}

/** POST /rooms/{roomId}/leave and /knock/{roomIdOrAlias}. */
export const reasonBody = { type: 'object', properties: { reason } } as const;

export interface ReasonBody {
  reason?: string;
}

/** POST /rooms/{roomId}/invite, /kick, /ban and /unban. */
export const targetUserBody = {
  type: 'object',
  required: ['user_id'],
  properties: { user_id: userId, reason },
} as const;

export interface TargetUserBody {
  user_id: string;
  reason?: string;
}

/** `via` (and the older `server_name`) of /join and /knock: servers to go through, repeatable. */
export const viaQuery = {
  type: 'object',
  properties: {
    via: { type: 'array', items: { type: 'string', maxLength: 255 } },
    server_name: { type: 'array', items: { type: 'string', maxLength: 255 } },
  },
} as const;

export interface ViaQuery {
  via?: string[];
  server_name?: string[];
}
