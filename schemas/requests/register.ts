// POST /_matrix/client/v3/register: body and query.
import { type AuthData, authData } from './auth-data.ts';
import { NO_NUL } from './no-nul.ts';

export const registerBody = {
  type: 'object',
  properties: {
    // m.login.application_service for an application service's registration (no UIA then).
    type: { type: 'string', maxLength: 255 },
    auth: authData,
    username: { type: 'string', maxLength: 255, pattern: NO_NUL },
    password: { type: 'string', maxLength: 512 },
    device_id: { type: 'string', minLength: 1, maxLength: 255, pattern: NO_NUL },
    initial_device_display_name: { type: 'string', maxLength: 256, pattern: NO_NUL },
    inhibit_login: { type: 'boolean' },
    refresh_token: { type: 'boolean' },
  },
} as const;

export interface RegisterBody {
  type?: string;
  auth?: AuthData;
  username?: string;
  password?: string;
  device_id?: string;
  initial_device_display_name?: string;
  inhibit_login?: boolean;
  refresh_token?: boolean;
}

export const registerQuery = {
  type: 'object',
  properties: { kind: { type: 'string', enum: ['user', 'guest'] } },
} as const;

export interface RegisterQuery {
  kind?: 'user' | 'guest';
}
