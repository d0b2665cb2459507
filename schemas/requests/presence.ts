// Body of PUT /presence/{userId}/status.
// https://spec.matrix.org/latest/client-server-api/#put_matrixclientv3presenceuseridstatus
// The spec sets no bound on the status message; this one keeps a row (and every m.presence event
// carrying it) small.
import { NO_NUL } from './no-nul.ts';

export const PRESENCE_STATES = ['online', 'unavailable', 'offline'] as const;
export type PresenceState = (typeof PRESENCE_STATES)[number];

export const setPresenceBody = {
  type: 'object',
  required: ['presence'],
  properties: {
    presence: { enum: PRESENCE_STATES },
    status_msg: { type: 'string', maxLength: 2048, pattern: NO_NUL },
  },
} as const;

export interface SetPresenceBody {
  presence: PresenceState;
  status_msg?: string;
}
