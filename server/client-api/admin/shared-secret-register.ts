// GET  /_synapse/admin/v1/register  -> a single-use nonce
// POST /_synapse/admin/v1/register  -> create an account, authenticated by an HMAC of the shared secret
// Synapse's admin API (not the Matrix spec), served so that tools written for Synapse, such as
// `register_new_matrix_user`, create Cairn accounts unchanged.
import { randomBytes } from 'node:crypto';
import {
  type SharedSecretRegisterBody,
  sharedSecretRegisterBody,
} from '../../../schemas/requests/shared-secret-register.ts';
import { registerLocalUser } from '../../accounts/register-local-user.ts';
import { checkSharedSecretMac } from '../../accounts/shared-secret-mac.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint, type Endpoint } from '../../http/endpoint.ts';
import { forbidden, MatrixError } from '../../http/matrix-error.ts';

const NONCE_LIFETIME_MS = 60_000;
const MAX_OUTSTANDING_NONCES = 10_000;

/** Endpoints share one nonce store per app; a nonce works once, within a minute. */
export function sharedSecretRegisterEndpoints(): Endpoint<Context>[] {
  const nonces = new Map<string, number>();

  const issueNonce = defineEndpoint<Context>({
    method: 'GET',
    path: '/_synapse/admin/v1/register',
    handler: (ctx) => {
      const now = ctx.now();
      for (const [nonce, expires] of nonces) if (expires <= now) nonces.delete(nonce);
      if (nonces.size >= MAX_OUTSTANDING_NONCES) {
        throw new MatrixError(429, 'M_LIMIT_EXCEEDED', 'Too many outstanding nonces', {
          retry_after_ms: NONCE_LIFETIME_MS,
        });
      }
      const nonce = randomBytes(16).toString('hex');
      nonces.set(nonce, now + NONCE_LIFETIME_MS);
      return { nonce };
    },
  });

  const register = defineEndpoint<Context, SharedSecretRegisterBody>({
    method: 'POST',
    path: '/_synapse/admin/v1/register',
    schema: { body: sharedSecretRegisterBody },
    handler: async (ctx, request) => {
      const body = request.body;
      const expires = nonces.get(body.nonce);
      nonces.delete(body.nonce);
      if (expires === undefined || expires <= ctx.now()) {
        throw new MatrixError(400, 'M_UNKNOWN', 'Unrecognised or expired nonce');
      }
      const admin = body.admin ?? false;
      const registration = {
        nonce: body.nonce,
        username: body.username,
        password: body.password,
        admin,
        userType: body.user_type ?? undefined,
      };
      if (!checkSharedSecretMac(ctx.registrationSharedSecret, registration, body.mac)) {
        throw forbidden('HMAC incorrect');
      }
      const user = await registerLocalUser(
        { db: ctx.db, serverName: ctx.config.serverName, now: ctx.now },
        {
          // As Synapse: the MAC covers the username as sent, the account gets it lowercased.
          localpart: body.username.toLowerCase(),
          password: body.password,
          admin,
          displayname: body.displayname,
          login: {},
        },
      );
      return {
        user_id: user.userId,
        access_token: user.accessToken,
        device_id: user.deviceId,
        home_server: ctx.config.serverName,
      };
    },
  });

  return [issueNonce, register];
}
