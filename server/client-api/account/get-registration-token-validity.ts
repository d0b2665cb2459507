// GET /_matrix/client/v1/register/m.login.registration_token/validity
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv1registermloginregistration_tokenvalidity
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { forbidden } from '../../http/matrix-error.ts';
import { requireAllowed, takeOrThrow } from '../../http/rate-limits.ts';
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
    // Rate limited against guessing (spec): an address over its registration limit is refused,
    // and each token found invalid spends from that limit; a valid one does not, so checking a
    // token before registering with it leaves the registration its turn.
    requireAllowed(ctx.rateLimits.registration.check(request.ip, ctx.now()));
    const valid = await isRegistrationTokenValid(ctx.db, request.query.token, ctx.now());
    if (!valid) takeOrThrow(ctx.rateLimits.registration, request.ip, ctx.now());
    return { valid };
  },
});
