// Bodies of the cross-signing endpoints: POST /keys/device_signing/upload and
// POST /keys/signatures/upload.
// https://spec.matrix.org/latest/client-server-api/#cross-signing
//
// The schemas check shapes only; what a key must contain (its owner, usage, a single ed25519 key,
// the master key's signature) is checked by server/e2ee/cross-signing-keys.ts, which answers
// with the spec's error codes rather than M_BAD_JSON.
import type { JsonObject } from '../../server/core/pdu.ts';
import { type AuthData, authData } from './auth-data.ts';

const USER_ID = '^@[^:]+:.+$';

/** user id -> key id -> signature: the `signatures` of any signed JSON object. */
const signatures = {
  type: 'object',
  maxProperties: 100,
  additionalProperties: {
    type: 'object',
    maxProperties: 100,
    additionalProperties: { type: 'string', maxLength: 1000 },
  },
} as const;

// The spec's CrossSigningKey. `keys` must hold exactly one key, but that is checked with the other
// rules of a key (M_INVALID_PARAM, as for a wrong usage); the bound here only limits the size.
const crossSigningKey = {
  type: 'object',
  required: ['user_id', 'usage', 'keys'],
  properties: {
    user_id: { type: 'string', maxLength: 255 },
    usage: { type: 'array', maxItems: 10, items: { type: 'string', maxLength: 255 } },
    keys: {
      type: 'object',
      maxProperties: 10,
      additionalProperties: { type: 'string', maxLength: 1000 },
    },
    signatures,
  },
} as const;

export const uploadCrossSigningKeysBody = {
  type: 'object',
  properties: {
    master_key: crossSigningKey,
    self_signing_key: crossSigningKey,
    user_signing_key: crossSigningKey,
    auth: authData,
  },
} as const;

export interface UploadCrossSigningKeysBody {
  master_key?: JsonObject;
  self_signing_key?: JsonObject;
  user_signing_key?: JsonObject;
  auth?: AuthData;
}

/** user id -> key id (a device id or a cross-signing public key) -> the signed key object. */
export const uploadSignaturesBody = {
  type: 'object',
  maxProperties: 1000,
  propertyNames: { pattern: USER_ID, maxLength: 255 },
  additionalProperties: {
    type: 'object',
    maxProperties: 1000,
    propertyNames: { minLength: 1, maxLength: 255 },
    additionalProperties: { type: 'object', properties: { signatures } },
  },
} as const;

export type UploadSignaturesBody = Record<string, Record<string, JsonObject>>;
