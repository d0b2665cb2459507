// buildClientApp / buildFederationApp: the two fastify instances of one Cairn process.
// Everything a handler needs comes from the context; nothing here starts listening.
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { receiveEdus } from '../federation/edus/receive-edus.ts';
import type { FederationContext } from '../federation/federation-context.ts';
import { getServerKeys } from '../federation/keys/get-server-keys.ts';
import type { ServerKeyStore } from '../federation/keys/remote-keys.ts';
import { TransactionCache } from '../federation/rooms/transaction-cache.ts';
import { claimUserKeys } from '../federation/routes/claim-user-keys.ts';
import { getUserDevices } from '../federation/routes/get-user-devices.ts';
import { getFederationVersion } from '../federation/routes/get-version.ts';
import { makeJoin, makeKnock, makeLeave } from '../federation/routes/make-membership.ts';
import { getFederationMedia, getFederationThumbnail } from '../federation/routes/media-download.ts';
import { queryKeys } from '../federation/routes/query-keys.ts';
import { queryServerKeys } from '../federation/routes/query-server-keys.ts';
import { queryUserKeys } from '../federation/routes/query-user-keys.ts';
import { receiveInvite } from '../federation/routes/receive-invite.ts';
import { roomReadEndpoints } from '../federation/routes/room-read-endpoints.ts';
import { sendJoin, sendKnock, sendLeave } from '../federation/routes/send-membership.ts';
import { sendTransaction } from '../federation/routes/send-transaction.ts';
import type { ListenerTls } from '../federation/transport/listener-tls.ts';
import { useFederationAuth } from '../federation/transport/verify-request.ts';
import { accountEndpoints } from './client-api/account-endpoints.ts';
import { mediaAdminEndpoints } from './client-api/admin/media-admin.ts';
import { sharedSecretRegisterEndpoints } from './client-api/admin/shared-secret-register.ts';
import { anchoringEndpoints } from './client-api/anchoring/anchoring-endpoints.ts';
import { directoryEndpoints } from './client-api/directory/directory-endpoints.ts';
import { ephemeralEndpoints } from './client-api/ephemeral/ephemeral-endpoints.ts';
import { getHealth } from './client-api/health/get-health.ts';
import { keysEndpoints } from './client-api/keys/keys-endpoints.ts';
import { mediaEndpoints, registerMediaUploads } from './client-api/media/media-endpoints.ts';
import { membershipEndpoints } from './client-api/membership/membership-endpoints.ts';
import { getMetrics } from './client-api/metrics/get-metrics.ts';
import { presenceEndpoints } from './client-api/presence/presence-endpoints.ts';
import { roomKeysEndpoints } from './client-api/room-keys/room-keys-endpoints.ts';
import { roomEndpoints } from './client-api/rooms/room-endpoints.ts';
import { siweEndpoints } from './client-api/siwe/siwe-endpoints.ts';
import { getSync } from './client-api/sync/get-sync.ts';
import { toDeviceEndpoints } from './client-api/to-device/to-device-endpoints.ts';
import { getVersions } from './client-api/versions/get-versions.ts';
import { getClientWellKnown } from './client-api/well-known/get-client-well-known.ts';
import { getServerWellKnown } from './client-api/well-known/get-server-well-known.ts';
import type { Context } from './context.ts';
import { type Endpoint, registerEndpoints } from './http/endpoint.ts';
import { sendError, useMatrixErrors } from './http/error-handler.ts';
import { useJsonBodies } from './http/json-body.ts';
import { useBareJsonContentType } from './http/json-replies.ts';
import { MatrixError } from './http/matrix-error.ts';
import { recordRequestMetrics } from './http/metrics.ts';
import { useNulRejection } from './http/reject-nul.ts';
import { useSecurityHeaders } from './http/security-headers.ts';
import { useSlowBodyGuard } from './http/slow-body-guard.ts';
import { useAjvValidation } from './http/validation.ts';

function baseApp(ctx: Context, listener: string, tls?: ListenerTls): FastifyInstance {
  // Node's defaults let a client take 60 s over its headers, checked every 30 s. No total
  // request time (requestTimeout stays 0): bodies are bounded by progress instead
  // (slow-body-guard.ts), and a long-polling /sync has its request in full before it waits.
  const serverOptions = {
    headersTimeout: ctx.config.headerTimeoutMs,
    connectionsCheckingInterval: Math.min(5_000, ctx.config.headerTimeoutMs),
  };
  const app: FastifyInstance = Fastify({
    // With a certificate the listener serves HTTPS, and listen() reports an https:// address.
    ...(tls
      ? { https: { cert: tls.certPem, key: tls.keyPem, ...serverOptions } }
      : { http: serverOptions }),
    loggerInstance: ctx.logger.child({ listener }) as FastifyBaseLogger,
    bodyLimit: ctx.config.maxRequestBodyBytes,
    // request.ip (per-IP rate limits, last-seen addresses) is the X-Forwarded-For client only
    // when the peer is a listed proxy; anyone else could name any address in that header.
    trustProxy: ctx.config.trustedProxies.length > 0 ? [...ctx.config.trustedProxies] : false,
    // Matrix ids and event ids in paths can be long; the default 100 chars is too short.
    routerOptions: { maxParamLength: 1000 },
    // One line per request is noise at info level; debug and trace keep it.
    logController: new LogController({
      disableRequestLogging: ctx.config.logLevel !== 'debug' && ctx.config.logLevel !== 'trace',
    }),
    frameworkErrors: (error, _request, reply) => {
      sendError(reply, new MatrixError(400, 'M_UNRECOGNIZED', error.message));
    },
  });
  useMatrixErrors(app);
  useSecurityHeaders(app, { tls: tls !== undefined });
  useSlowBodyGuard(app, ctx.config.requestBody);
  useNulRejection(app);
  useJsonBodies(app);
  useBareJsonContentType(app);
  useAjvValidation(app);
  recordRequestMetrics(app, ctx.metrics, listener);
  // Web clients (Element) call the client API cross-origin.
  app.addHook('onRequest', async (request, reply) => {
    reply.header('access-control-allow-origin', '*');
    reply.header('access-control-allow-methods', 'GET, POST, PUT, DELETE, OPTIONS');
    reply.header(
      'access-control-allow-headers',
      'X-Requested-With, Content-Type, Authorization, Date',
    );
    if (request.method === 'OPTIONS') return reply.status(204).send();
  });
  return app;
}

export function buildClientApp(ctx: Context): FastifyInstance {
  const app = baseApp(ctx, 'client');
  const endpoints: Endpoint<Context>[] = [
    getVersions,
    getClientWellKnown,
    getServerWellKnown,
    getHealth,
    ...sharedSecretRegisterEndpoints(),
    ...roomEndpoints,
    ...ephemeralEndpoints,
    ...presenceEndpoints,
    ...toDeviceEndpoints,
    ...keysEndpoints,
    ...roomKeysEndpoints,
    ...membershipEndpoints,
    ...directoryEndpoints,
    ...accountEndpoints,
    ...mediaEndpoints,
    ...mediaAdminEndpoints,
    ...anchoringEndpoints,
    ...siweEndpoints,
    getSync,
  ];
  if (ctx.config.enableMetrics) endpoints.push(getMetrics(ctx.config.metricsPath));
  registerEndpoints(app, ctx, endpoints);
  registerMediaUploads(app, ctx);
  return app;
}

/**
 * `tls`: the listener's certificate (federation/transport/listener-tls.ts); absent: plain HTTP.
 * `serverKeys` fetches other servers' keys; give it one over the federation client
 * (serverKeyStoreFor(ctx, fetchJsonVia(client))). Without, only keys already stored are known.
 */
export function buildFederationApp(
  ctx: Context,
  tls?: ListenerTls,
  serverKeys: ServerKeyStore = ctx.federation.serverKeys,
): FastifyInstance {
  const app = baseApp(ctx, 'federation', tls);
  const federation: FederationContext = {
    ...ctx,
    serverKeys,
    transactions: new TransactionCache(),
    receiveEdus: (origin, edus) => receiveEdus(ctx, origin, edus),
  };
  // Before the routes: every /_matrix/federation/ route but the open ones needs X-Matrix.
  useFederationAuth(app, federation);
  registerEndpoints(app, federation, [
    getFederationVersion,
    getServerKeys,
    queryServerKeys,
    queryKeys,
    getHealth,
    sendTransaction,
    makeJoin,
    makeLeave,
    makeKnock,
    sendJoin,
    sendLeave,
    sendKnock,
    receiveInvite,
    ...roomReadEndpoints,
    getUserDevices,
    queryUserKeys,
    claimUserKeys,
    getFederationMedia,
    getFederationThumbnail,
  ]);
  return app;
}
