// Bodies of POST /account/password and POST /account/deactivate.
import { type AuthData, authData } from './auth-data.ts';

export const changePasswordBody = {
  type: 'object',
  required: ['new_password'],
  properties: {
    new_password: { type: 'string', minLength: 1, maxLength: 512 },
    logout_devices: { type: 'boolean' },
    auth: authData,
  },
} as const;

export interface ChangePasswordBody {
  new_password: string;
  logout_devices?: boolean;
  auth?: AuthData;
}

export const deactivateAccountBody = {
  type: 'object',
  properties: {
    auth: authData,
    id_server: { type: 'string' },
    erase: { type: 'boolean' },
  },
} as const;

export interface DeactivateAccountBody {
  auth?: AuthData;
  id_server?: string;
  erase?: boolean;
}
