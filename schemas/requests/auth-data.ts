// The `auth` dict of user-interactive authentication, as far as every stage shares it; each
// stage's own keys are checked by its checker (server/accounts/uia-stages.ts).
// https://spec.matrix.org/latest/client-server-api/#user-interactive-api-in-the-rest-api
import { NO_NUL } from './no-nul.ts';

export const authData = {
  type: 'object',
  properties: {
    type: { type: 'string', maxLength: 255 },
    session: { type: 'string', maxLength: 255, pattern: NO_NUL },
  },
} as const;

export interface AuthData {
  type?: string;
  session?: string;
  [stageKey: string]: unknown;
}
