// Inbound request authentication: every /_matrix/federation/* route but the few the spec leaves
// open must carry an X-Matrix header whose signature, by a current key of its origin, covers the
// method, the request target exactly as sent, both server names and the JSON body. Anything else
// is 401 M_UNAUTHORIZED. The verified origin is `request.federationOrigin` for the handler.
// https://spec.matrix.org/latest/server-server-api/#request-authentication
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isValidServerName } from '../../server/core/auth-rules/identifiers.ts';
import type { JsonValue } from '../../server/core/pdu.ts';
import { MatrixError } from '../../server/http/matrix-error.ts';
import type { FederationContext } from '../federation-context.ts';
import { parseXMatrix, verifyRequest, XMatrixParseError } from './x-matrix.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The server that signed the request; null on routes without X-Matrix authentication. */
    federationOrigin: string | null;
  }
}

// Under /_matrix/federation/ but not signed by a server: the version (anyone may ask), OpenID
// userinfo (an access token in the query) and 3pid/onbind (called by identity servers).
const UNAUTHENTICATED = new Set([
  '/_matrix/federation/v1/version',
  '/_matrix/federation/v1/openid/userinfo',
  '/_matrix/federation/v1/3pid/onbind',
]);

export function requiresFederationAuth(routePath: string | undefined): boolean {
  if (routePath === undefined) return false;
  return routePath.startsWith('/_matrix/federation/') && !UNAUTHENTICATED.has(routePath);
}

/** Adds the check to every route of `app`; call before registering them. */
export function useFederationAuth(app: FastifyInstance, ctx: FederationContext): void {
  app.decorateRequest('federationOrigin', null);
  // preValidation: the body is parsed, and a request that is not authenticated learns nothing
  // about what its body would have been told by schema validation.
  app.addHook('preValidation', async (request) => {
    if (!requiresFederationAuth(request.routeOptions.url)) return;
    request.federationOrigin = await authenticateRequest(ctx, {
      method: request.method,
      uri: request.raw.url ?? request.url,
      authorization: request.headers.authorization,
      body: request.body as JsonValue | undefined,
    });
    // A server that just made a signed request is up: what waits for it goes now, not at the
    // next retry of its backoff.
    ctx.federation.outbound.peerIsUp(request.federationOrigin);
  });
}

/** The verified origin of a request on an authenticated route; throws on any other. */
export function federationOriginOf(request: FastifyRequest): string {
  if (request.federationOrigin === null) throw new Error('route has no federation auth');
  return request.federationOrigin;
}

export interface InboundRequest {
  readonly method: string;
  /** Path and query exactly as received. */
  readonly uri: string;
  readonly authorization: string | undefined;
  readonly body: JsonValue | undefined;
}

/** The origin server of a correctly signed request; throws 401 M_UNAUTHORIZED otherwise. */
export async function authenticateRequest(
  ctx: Pick<FederationContext, 'config' | 'serverKeys' | 'now'>,
  request: InboundRequest,
): Promise<string> {
  if (request.authorization === undefined) {
    throw unauthorized('Missing X-Matrix Authorization header');
  }
  let auth: ReturnType<typeof parseXMatrix>;
  try {
    auth = parseXMatrix(request.authorization);
  } catch (error) {
    if (error instanceof XMatrixParseError) {
      throw unauthorized(`Malformed X-Matrix Authorization header: ${error.message}`);
    }
    throw error;
  }
  const ourName = ctx.config.serverName;
  // Absent in requests from servers older than spec v1.3: accepted, and checked through the
  // signature, which covers our name as destination.
  if (auth.destination !== undefined && auth.destination !== ourName) {
    throw unauthorized(`Request is for ${auth.destination}, not this server`);
  }
  if (!isValidServerName(auth.origin)) throw unauthorized('origin is not a server name');
  // Requests may only be signed with current keys (old_verify_keys are for events), valid now.
  const publicKey = await ctx.serverKeys.getVerifyKey(auth.origin, auth.key, {
    validAt: ctx.now(),
  });
  if (publicKey === undefined) {
    throw unauthorized(`No valid key ${auth.key} found for ${auth.origin}`);
  }
  const signed = {
    method: request.method,
    uri: request.uri,
    origin: auth.origin,
    destination: ourName,
    content: request.body,
  };
  if (!verifyRequest(signed, auth, publicKey)) {
    throw unauthorized(`Invalid signature by ${auth.origin} ${auth.key}`);
  }
  return auth.origin;
}

function unauthorized(message: string): MatrixError {
  return new MatrixError(401, 'M_UNAUTHORIZED', message);
}
