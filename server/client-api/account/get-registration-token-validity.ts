// GET /_matrix/client/v1/register/m.login.registration_token/validity
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv1registermloginregistration_tokenvalidity
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { forbidden } from '../../http/matrix-error.ts';
import { isRegistrationTokenValid } from '../../storage/registration-tokens.ts';

export const getRegistrationTokenValidity = defineEndpoint<Context, unknown, { token: string }>({
  method: 'GET',
  path: '/_matrix/client/v1/register/m.login.registration_token/validity',
  schema: {
    querystring: {
      type: 'object',
      required: ['token'],
      properties: { token: { type: 'string', maxLength: 64 } },
    },
  },
  handler: async (ctx, request) => {
    // With registration closed every token is invalid, and the spec says so with a 403.
    if (!ctx.config.enableRegistration) {
      throw forbidden('Registration is not enabled on this homeserver');
    }
    // TODO(rate-limits): the spec asks for a rate limit here against guessing tokens.
    return { valid: await isRegistrationTokenValid(ctx.db, request.query.token, ctx.now()) };
  },
});
