// GET /_matrix/client/v3/login
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3login
import { SIWE_LOGIN_TYPE } from '../../accounts/siwe/siwe-settings.ts';
import { APP_SERVICE_LOGIN_TYPE } from '../../appservices/app-service-auth.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';

// Only the flows that work: token and SSO login come with later issues. Sign-In with Ethereum
// (a namespaced type, which clients that do not know it skip) only when siwe_enabled is on;
// m.login.application_service only when application services are registered.
export const getLoginFlows = defineEndpoint<Context>({
  method: 'GET',
  path: '/_matrix/client/v3/login',
  handler: (ctx) => ({
    flows: [
      { type: 'm.login.password' },
      ...(ctx.config.siweEnabled ? [{ type: SIWE_LOGIN_TYPE }] : []),
      ...(ctx.appServices.registrations.length > 0 ? [{ type: APP_SERVICE_LOGIN_TYPE }] : []),
    ],
  }),
});
