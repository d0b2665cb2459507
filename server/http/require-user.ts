// Access-token authentication for client endpoints: handlers call requireUser() first.
// https://spec.matrix.org/latest/client-server-api/#using-access-tokens
// An application service's as_token is a token too: it acts as the service's sender or a user of
// its namespace (server/appservices/assert-identity.ts).
import type { FastifyRequest } from 'fastify';
import { appServiceUser } from '../appservices/assert-identity.ts';
import type { Context } from '../context.ts';
import { lookupAccessTokenOwner } from '../storage/access-tokens.ts';
import { MatrixError, missingToken, unknownToken } from './matrix-error.ts';

export interface AuthenticatedUser {
  readonly userId: string;
  readonly deviceId: string;
  readonly isAdmin: boolean;
  /** The token as presented; needed by logout. */
  readonly accessToken: string;
  /** Whether per-user and per-IP rate limits apply: not to exempt application service users. */
  readonly rateLimited: boolean;
}

/** The access token from the Authorization header, or the deprecated `access_token` query parameter. */
export function accessTokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new MatrixError(401, 'M_MISSING_TOKEN', 'Malformed Authorization header');
    return match[1];
  }
  const query = request.query as Record<string, unknown> | undefined;
  const fromQuery = query?.access_token;
  return typeof fromQuery === 'string' && fromQuery !== '' ? fromQuery : undefined;
}

export async function requireUser(
  ctx: Context,
  request: FastifyRequest,
): Promise<AuthenticatedUser> {
  const token = accessTokenOf(request);
  if (token === undefined) throw missingToken();
  const appService = ctx.appServices.byToken(token);
  if (appService) return appServiceUser(ctx, request, appService, token);
  const owner = await lookupAccessTokenOwner(ctx.db, token);
  if (!owner) throw unknownToken(false);
  // An expired token is a soft logout: the client may refresh and keep its session.
  if (owner.expiresTs !== null && owner.expiresTs <= ctx.now()) throw unknownToken(true);
  if (owner.isDeactivated) throw unknownToken(false);
  return {
    userId: owner.userId,
    deviceId: owner.deviceId,
    isAdmin: owner.isAdmin,
    accessToken: token,
    rateLimited: true,
  };
}
