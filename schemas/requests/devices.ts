// Bodies of the device management endpoints.
import { type AuthData, authData } from './auth-data.ts';
import { NO_NUL } from './no-nul.ts';

// Synapse's limit; long enough for any real device name.
const displayName = { type: 'string', maxLength: 100, pattern: NO_NUL } as const;

/** PUT /_matrix/client/v3/devices/{deviceId} */
export const updateDeviceBody = {
  type: 'object',
  properties: { display_name: displayName },
} as const;

export interface UpdateDeviceBody {
  display_name?: string;
}

/** DELETE /_matrix/client/v3/devices/{deviceId}; the spec marks the body required, but clients
 * send none on the first (UIA) attempt, so an absent body reads as `{}`. */
export const deleteDeviceBody = {
  type: 'object',
  properties: { auth: authData },
} as const;

export interface DeleteDeviceBody {
  auth?: AuthData;
}

/** POST /_matrix/client/v3/delete_devices */
export const deleteDevicesBody = {
  type: 'object',
  required: ['devices'],
  properties: {
    devices: {
      type: 'array',
      maxItems: 1000,
      items: { type: 'string', maxLength: 255, pattern: NO_NUL },
    },
    auth: authData,
  },
} as const;

export interface DeleteDevicesBody {
  devices: string[];
  auth?: AuthData;
}

export const deviceIdParams = {
  type: 'object',
  required: ['deviceId'],
  properties: { deviceId: { type: 'string', minLength: 1, maxLength: 255 } },
} as const;

export interface DeviceIdParams {
  deviceId: string;
}
