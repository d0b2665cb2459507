// Body of POST /_matrix/client/v3/createRoom.
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3createroom
import { NO_NUL } from './no-nul.ts';

// No NUL: a user id and an event type go to text columns, where PostgreSQL refuses one (each
// was a 500, found by the endpoint fuzzer).
const userId = { type: 'string', pattern: '^@[^:\\u0000]+:[^\\u0000]+$', maxLength: 255 };

export const createRoomBody = {
  type: 'object',
  properties: {
    visibility: { enum: ['public', 'private'] },
    room_alias_name: { type: 'string', maxLength: 255 },
    name: { type: 'string', maxLength: 65536 },
    topic: { type: 'string', maxLength: 65536 },
    invite: { type: 'array', items: userId, maxItems: 1000 },
    invite_3pid: { type: 'array', maxItems: 0 },
    room_version: { type: 'string', minLength: 1, maxLength: 32 },
    creation_content: { type: 'object' },
    initial_state: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        required: ['type', 'content'],
        properties: {
          type: { type: 'string', minLength: 1, maxLength: 255, pattern: NO_NUL },
          state_key: { type: 'string', maxLength: 255, pattern: NO_NUL },
          content: { type: 'object' },
        },
      },
    },
    preset: { enum: ['private_chat', 'public_chat', 'trusted_private_chat'] },
    is_direct: { type: 'boolean' },
    power_level_content_override: { type: 'object' },
  },
} as const;

export interface CreateRoomBody {
  visibility?: 'public' | 'private';
  room_alias_name?: string;
  name?: string;
  topic?: string;
  invite?: string[];
  room_version?: string;
  creation_content?: Record<string, unknown>;
  initial_state?: { type: string; state_key?: string; content: Record<string, unknown> }[];
  preset?: 'private_chat' | 'public_chat' | 'trusted_private_chat';
  is_direct?: boolean;
  power_level_content_override?: Record<string, unknown>;
}

/** Any JSON object: the content of an event a client sends. */
export const eventContentBody = { type: 'object' } as const;
