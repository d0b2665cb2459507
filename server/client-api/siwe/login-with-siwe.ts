// The org.cairn.login.siwe login type of POST /_matrix/client/v3/login (login.ts hands it here):
// `message` (EIP-4361) and `signature`, checked by server/accounts/siwe/. The address signs in to
// the account it is linked to; an unlinked address gets a new account when siwe_register allows.
// Failed proofs count against rate_limit_failed_login_*, keyed by the address (what names the
// account in this login type); login.ts has already counted the attempt against the client IP.
// The nonce is used up in the transaction that creates the device, so a failed login leaves it.
import type { LoginBody } from '../../../schemas/requests/login.ts';
import {
  type LoginSession,
  loginSessionBody,
  startLoginSession,
} from '../../accounts/login-session.ts';
import { registerLocalUser } from '../../accounts/register-local-user.ts';
import { checkSiweProof, readSiweProof, type SiweProof } from '../../accounts/siwe/siwe-proof.ts';
import { localpartOfAddress, type SiweSettings } from '../../accounts/siwe/siwe-settings.ts';
import type { Context } from '../../context.ts';
import type { EndpointRequest } from '../../http/endpoint.ts';
import { forbidden, MatrixError } from '../../http/matrix-error.ts';
import { requireAllowed, takeOrThrow } from '../../http/rate-limits.ts';
import { getWalletOwner, linkWallet } from '../../storage/ethereum-wallets.ts';
import { consumeSiweNonce } from '../../storage/siwe-nonces.ts';
import { getUserById } from '../../storage/users.ts';

const NONCE_USED = 'The nonce is unknown, expired or already used';

interface DeviceRequest {
  deviceId: string | undefined;
  deviceDisplayName: string | undefined;
  ip: string;
  refresh: boolean;
}

export async function loginWithSiwe(
  ctx: Context,
  settings: SiweSettings,
  request: EndpointRequest<LoginBody>,
): Promise<Record<string, unknown>> {
  const body = request.body;
  const now = ctx.now();
  const proof = readSiweProof(body as unknown as Record<string, unknown>);
  const address = proof.fields.address;
  const limitKey = `siwe:${address.toLowerCase()}`;
  requireAllowed(ctx.rateLimits.failedLogin.check(limitKey, now));
  const refuse = (reason: string): MatrixError => {
    ctx.rateLimits.failedLogin.take(limitKey, now);
    return forbidden(reason);
  };
  const refusal = await checkSiweProof({ db: ctx.db, settings, now }, proof);
  if (refusal) {
    if (refusal.chainUnavailable) {
      ctx.logger.warn({ address, reason: refusal.reason }, 'EIP-1271 signature check failed');
    }
    throw refuse(refusal.reason);
  }
  const device: DeviceRequest = {
    deviceId: body.device_id,
    deviceDisplayName: body.initial_device_display_name,
    ip: request.ip,
    refresh: body.refresh_token === true,
  };
  const userId = await getWalletOwner(ctx.db, address);
  const signedIn =
    userId === undefined
      ? await registerWalletAccount(ctx, settings, proof, device, refuse)
      : { userId, session: await signInLinked(ctx, userId, proof, device, refuse) };
  return {
    user_id: signedIn.userId,
    home_server: ctx.config.serverName,
    ...loginSessionBody(signedIn.session),
  };
}

async function signInLinked(
  ctx: Context,
  userId: string,
  proof: SiweProof,
  device: DeviceRequest,
  refuse: (reason: string) => MatrixError,
): Promise<LoginSession> {
  const user = await getUserById(ctx.db, userId);
  if (!user || user.isDeactivated) {
    throw new MatrixError(403, 'M_USER_DEACTIVATED', 'This account has been deactivated');
  }
  const now = ctx.now();
  return ctx.db.transaction().execute(async (trx) => {
    // A replay that passed the check above alongside the first use fails here.
    if (!(await consumeSiweNonce(trx, proof.fields.nonce, now))) throw refuse(NONCE_USED);
    return startLoginSession(trx, {
      userId,
      ...device,
      accessTokenLifetimeMs: ctx.config.accessTokenLifetimeMs,
      now,
    });
  });
}

async function registerWalletAccount(
  ctx: Context,
  settings: SiweSettings,
  proof: SiweProof,
  device: DeviceRequest,
  refuse: (reason: string) => MatrixError,
): Promise<{ userId: string; session: LoginSession }> {
  const address = proof.fields.address;
  if (!settings.register) {
    throw forbidden(
      'No account is linked to this address, and this server does not create accounts for wallets: sign in otherwise and link the wallet',
    );
  }
  takeOrThrow(ctx.rateLimits.registration, device.ip, ctx.now());
  const localpart = localpartOfAddress(settings.localpartTemplate, address);
  try {
    const user = await registerLocalUser(
      {
        db: ctx.db,
        serverName: ctx.config.serverName,
        now: ctx.now,
        accessTokenLifetimeMs: ctx.config.accessTokenLifetimeMs,
      },
      {
        localpart,
        password: null,
        admin: false,
        // The checksummed address: what the user's wallet shows them.
        displayname: address,
        login: device,
        inTransaction: async (trx, userId) => {
          if (!(await consumeSiweNonce(trx, proof.fields.nonce, ctx.now()))) {
            throw refuse(NONCE_USED);
          }
          if (!(await linkWallet(trx, address, userId, ctx.now()))) {
            throw forbidden('This address was linked to an account meanwhile: sign in again');
          }
        },
      },
    );
    return { userId: user.userId, session: user.session! };
  } catch (error) {
    if (error instanceof MatrixError && error.errcode === 'M_USER_IN_USE') {
      // Someone holds the name (registered by password, or this address signing in at the same
      // moment): never sign the wallet in to an account it is not linked to.
      throw forbidden(
        `The user id for this address, @${localpart}:${ctx.config.serverName}, is taken by an account this wallet is not linked to`,
      );
    }
    throw error;
  }
}
