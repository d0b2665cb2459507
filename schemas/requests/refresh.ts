// POST /_matrix/client/v3/refresh
export const refreshBody = {
  type: 'object',
  required: ['refresh_token'],
  properties: { refresh_token: { type: 'string', maxLength: 1024 } },
} as const;

export interface RefreshBody {
  refresh_token: string;
}
