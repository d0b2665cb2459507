// POST /_matrix/client/v3/login
import { NO_NUL } from './no-nul.ts';

export const loginBody = {
  type: 'object',
  required: ['type'],
  properties: {
    type: { type: 'string', maxLength: 255 },
    identifier: {
      type: 'object',
      required: ['type'],
      properties: { type: { type: 'string' }, user: { type: 'string', pattern: NO_NUL } },
    },
    user: { type: 'string', maxLength: 255, pattern: NO_NUL },
    medium: { type: 'string' },
    address: { type: 'string' },
    password: { type: 'string', maxLength: 512 },
    token: { type: 'string' },
    device_id: { type: 'string', minLength: 1, maxLength: 255, pattern: NO_NUL },
    initial_device_display_name: { type: 'string', maxLength: 256, pattern: NO_NUL },
    refresh_token: { type: 'boolean' },
  },
} as const;

export interface LoginBody {
  type: string;
  identifier?: { type: string; [key: string]: unknown };
  user?: string;
  medium?: string;
  address?: string;
  password?: string;
  token?: string;
  device_id?: string;
  initial_device_display_name?: string;
  refresh_token?: boolean;
}
