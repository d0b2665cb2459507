// Body of PUT /sendToDevice/{eventType}/{txnId}: user id -> device id (or `*`) -> content.
// https://spec.matrix.org/latest/client-server-api/#put_matrixclientv3sendtodeviceeventtypetxnid
import type { JsonObject } from '../../server/core/pdu.ts';

export const sendToDeviceBody = {
  type: 'object',
  required: ['messages'],
  properties: {
    messages: {
      type: 'object',
      // A user id: `@`, a localpart, `:` and a server name.
      propertyNames: { pattern: '^@[^:]+:.+$', maxLength: 255 },
      additionalProperties: {
        type: 'object',
        propertyNames: { minLength: 1, maxLength: 255 },
        additionalProperties: { type: 'object' },
      },
    },
  },
} as const;

export interface SendToDeviceBody {
  messages: Record<string, Record<string, JsonObject>>;
}
