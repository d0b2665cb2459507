// Bodies of PUT /profile/{userId}/displayname and /avatar_url. An empty string clears the field
// (Element clears an avatar that way). The spec tells clients to send an MXC URI as avatar_url
// but does not ask servers to refuse anything else; Synapse stores any string (up to 1000
// characters), and clients and Complement rely on that, so only the type and length are checked.
import { NO_NUL } from './no-nul.ts';

export const setDisplaynameBody = {
  type: 'object',
  required: ['displayname'],
  properties: { displayname: { type: 'string', maxLength: 256, pattern: NO_NUL } },
} as const;

export interface SetDisplaynameBody {
  displayname: string;
}

export const setAvatarUrlBody = {
  type: 'object',
  required: ['avatar_url'],
  properties: {
    avatar_url: { type: 'string', maxLength: 1000, pattern: NO_NUL },
  },
} as const;

export interface SetAvatarUrlBody {
  avatar_url: string;
}

export const userIdParams = {
  type: 'object',
  required: ['userId'],
  properties: { userId: { type: 'string', minLength: 1, maxLength: 255 } },
} as const;

export interface UserIdParams {
  userId: string;
}
