// Bodies of PUT /profile/{userId}/displayname and /avatar_url. An empty string clears the field
// (Element clears an avatar that way).
export const setDisplaynameBody = {
  type: 'object',
  required: ['displayname'],
  properties: { displayname: { type: 'string', maxLength: 256 } },
} as const;

export interface SetDisplaynameBody {
  displayname: string;
}

export const setAvatarUrlBody = {
  type: 'object',
  required: ['avatar_url'],
  properties: {
    avatar_url: { type: 'string', maxLength: 1000, pattern: '^(mxc://[^/]+/[^/]+)?$' },
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
