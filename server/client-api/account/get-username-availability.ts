// GET /_matrix/client/v3/register/available
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3registeravailable
import { userIdForLocalpart } from '../../accounts/localpart.ts';
import { checkUsernameAvailable } from '../../accounts/username-availability.ts';
import { refuseExclusiveUser } from '../../appservices/app-service-auth.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';

export const getUsernameAvailability = defineEndpoint<Context, unknown, { username: string }>({
  method: 'GET',
  path: '/_matrix/client/v3/register/available',
  schema: {
    querystring: {
      type: 'object',
      required: ['username'],
      properties: { username: { type: 'string', maxLength: 255 } },
    },
  },
  handler: async (ctx, request) => {
    // Throws M_INVALID_USERNAME or M_USER_IN_USE, the answers the spec gives as 400s.
    const serverName = ctx.config.serverName;
    const localpart = await checkUsernameAvailable(ctx.db, request.query.username, serverName);
    // And M_EXCLUSIVE for a name an application service reserved.
    refuseExclusiveUser(ctx, userIdForLocalpart(localpart, serverName));
    return { available: true };
  },
});
