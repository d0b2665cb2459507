// GET /_matrix/client/v3/login
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3login
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';

// Only the flows that work: token and SSO login come with later issues.
export const getLoginFlows = defineEndpoint<Context>({
  method: 'GET',
  path: '/_matrix/client/v3/login',
  handler: () => ({ flows: [{ type: 'm.login.password' }] }),
});
