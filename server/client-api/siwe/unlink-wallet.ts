// DELETE /_cairn/v1/account/wallets/{address}
// Cairn's own endpoint: unlinks one of the requester's wallets, after user-interactive auth.
// Works with Sign-In with Ethereum turned off too, so a user can always take their address out of
// their public profile. The last way into an account is kept: a user without a password cannot
// unlink their only wallet.
import { Ajv } from 'ajv';
import type { Kysely } from 'kysely';
import {
  type UnlinkWalletBody,
  unlinkWalletBody,
  type WalletAddressParams,
  walletAddressParams,
} from '../../../schemas/requests/siwe.ts';
import {
  requireUserInteractiveAuth,
  type UiaPolicy,
  uiaDepsOf,
} from '../../accounts/user-interactive-auth.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { badJson, forbidden, invalidParam, notFound } from '../../http/matrix-error.ts';
import { requireUser } from '../../http/require-user.ts';
import { getWalletOwner, listWalletsOfUser, unlinkWallet } from '../../storage/ethereum-wallets.ts';
import type { Database } from '../../storage/schema.ts';

export const unlinkWalletPolicy: UiaPolicy = {
  endpoint: 'DELETE /_cairn/v1/account/wallets',
  flows: [['m.login.password']],
};

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

// As for DELETE /devices/{deviceId}, a first attempt without a body is common; it reads as `{}`.
const validBody = new Ajv({ strict: false }).compile<UnlinkWalletBody>(unlinkWalletBody);

export const unlinkWalletEndpoint = defineEndpoint<Context, unknown, unknown, WalletAddressParams>({
  method: 'DELETE',
  path: '/_cairn/v1/account/wallets/:address',
  schema: { params: walletAddressParams },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const address = request.params.address;
    if (!ADDRESS.test(address)) throw invalidParam('address must be 0x and 40 hex digits');
    const body = request.body;
    if (body !== undefined && !validBody(body)) {
      throw badJson(`body ${validBody.errors?.[0]?.message ?? 'is invalid'}`);
    }
    if ((await getWalletOwner(ctx.db, address)) !== user.userId) {
      throw notFound('This wallet is not linked to your account');
    }
    await requireSignInLeft(ctx.db, user.userId);
    await requireUserInteractiveAuth(uiaDepsOf(ctx), unlinkWalletPolicy, {
      auth: body?.auth,
      requesterId: user.userId,
    });
    await ctx.db.transaction().execute(async (trx) => {
      // The user's row locked: two unlinks at once cannot both see another wallet left.
      await trx
        .selectFrom('users')
        .select('user_id')
        .where('user_id', '=', user.userId)
        .forUpdate()
        .execute();
      await requireSignInLeft(trx, user.userId);
      if (!(await unlinkWallet(trx, address, user.userId))) {
        throw notFound('This wallet is not linked to your account');
      }
    });
    return {};
  },
});

/** Refuses when the wallet to unlink is the account's only way to sign in. */
async function requireSignInLeft(db: Kysely<Database>, userId: string): Promise<void> {
  const row = await db
    .selectFrom('users')
    .select('password_hash')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (row?.password_hash !== null) return;
  if ((await listWalletsOfUser(db, userId)).length > 1) return;
  throw forbidden('This wallet is the only way to sign in to this account: it cannot be unlinked');
}
