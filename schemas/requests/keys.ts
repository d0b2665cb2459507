// Bodies of the end-to-end key endpoints: POST /keys/upload, /keys/query, /keys/claim (client)
// and POST /user/keys/query, /user/keys/claim (federation). Key objects are checked in depth by
// server/e2ee/device-keys-check.ts; the schemas bound the shapes and sizes.
// https://spec.matrix.org/latest/client-server-api/#end-to-end-encryption
import type { JsonObject, JsonValue } from '../../server/core/pdu.ts';
import { NO_NUL } from './no-nul.ts';

// No NUL anywhere: these are looked up in text columns, where PostgreSQL refuses one (a NUL in
// a user or device id was a 500, found by the endpoint fuzzer).
const userId = { pattern: '^@[^:\\u0000]+:[^\\u0000]+$', maxLength: 255 } as const;
const name = { minLength: 1, maxLength: 255, pattern: NO_NUL } as const;
/** `algorithm:key_id`, as one-time and fallback keys are named. */
const keyName = { pattern: '^[^:\\u0000]+:[^\\u0000]+$', maxLength: 255 } as const;

export const uploadKeysBody = {
  type: 'object',
  properties: {
    device_keys: {
      type: 'object',
      required: ['user_id', 'device_id', 'algorithms', 'keys', 'signatures'],
      properties: {
        user_id: { type: 'string' },
        device_id: { type: 'string' },
        algorithms: { type: 'array', items: { type: 'string' }, maxItems: 100 },
        keys: { type: 'object', additionalProperties: { type: 'string' } },
        signatures: {
          type: 'object',
          additionalProperties: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
    },
    one_time_keys: {
      type: 'object',
      propertyNames: keyName,
      maxProperties: 1000,
      additionalProperties: { type: ['object', 'string'] },
    },
    fallback_keys: {
      type: 'object',
      propertyNames: keyName,
      maxProperties: 100,
      additionalProperties: { type: ['object', 'string'] },
    },
  },
} as const;

export interface UploadKeysBody {
  device_keys?: JsonObject;
  one_time_keys?: Record<string, JsonValue>;
  fallback_keys?: Record<string, JsonValue>;
}

const deviceKeysQuery = {
  type: 'object',
  propertyNames: userId,
  maxProperties: 10_000,
  additionalProperties: { type: 'array', items: { type: 'string', ...name }, maxItems: 1000 },
} as const;

export const queryKeysBody = {
  type: 'object',
  required: ['device_keys'],
  properties: {
    device_keys: deviceKeysQuery,
    timeout: { type: 'integer', minimum: 0 },
  },
} as const;

export interface QueryKeysBody {
  /** User id -> device ids (empty: every device). */
  device_keys: Record<string, string[]>;
  timeout?: number;
}

export const claimKeysBody = {
  type: 'object',
  required: ['one_time_keys'],
  properties: {
    one_time_keys: {
      type: 'object',
      propertyNames: userId,
      maxProperties: 10_000,
      additionalProperties: {
        type: 'object',
        propertyNames: name,
        additionalProperties: { type: 'string', ...name },
      },
    },
    timeout: { type: 'integer', minimum: 0 },
  },
} as const;

export interface ClaimKeysBody {
  /** User id -> device id -> algorithm. */
  one_time_keys: Record<string, Record<string, string>>;
  timeout?: number;
}

export const keyChangesQuery = {
  type: 'object',
  required: ['from', 'to'],
  properties: { from: { type: 'string' }, to: { type: 'string' } },
} as const;

export interface KeyChangesQuery {
  from: string;
  to: string;
}

export const userDevicesParams = {
  type: 'object',
  required: ['userId'],
  properties: { userId: { type: 'string', ...name } },
} as const;

export interface UserDevicesParams {
  userId: string;
}
