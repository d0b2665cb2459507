// Bodies of the room membership endpoints: join, leave, knock, invite, kick, ban, unban.
// https://spec.matrix.org/latest/client-server-api/#room-membership
const userId = { type: 'string', pattern: '^@[^:]+:.+$', maxLength: 255 };
const reason = { type: 'string', maxLength: 4096 };

/**
 * A body the spec makes optional (its request body is not `required`): a client may send none,
 * and the handler reads `request.body ?? {}`. Fastify validates a missing body as `null`.
 */
function optionalObject<P extends Record<string, unknown>>(properties: P) {
  return { type: ['object', 'null'], properties } as const;
}

/**
 * POST /rooms/{roomId}/join and /join/{roomIdOrAlias}. Keys beyond these go into the member event,
 * as Synapse does (room-specific content; sytest and Complement send some).
 */
export const joinBody = optionalObject({ reason, third_party_signed: { type: 'object' } });

export interface JoinBody {
  reason?: string;
  third_party_signed?: Record<string, unknown>;
  [key: string]: unknown;
}

/** POST /rooms/{roomId}/leave and /knock/{roomIdOrAlias}. */
export const reasonBody = optionalObject({ reason });

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
