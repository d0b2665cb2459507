// POST /_cairn/v1/account/wallets
// Cairn's own endpoint: links the wallet that signed `message` (EIP-4361, with a nonce from
// POST /_cairn/v1/siwe/nonce) to the requester's account, after user-interactive auth, so the
// account can then be signed in to with that wallet too. Answers the linked address, checksummed.
import { type LinkWalletBody, linkWalletBody } from '../../../schemas/requests/siwe.ts';
import { checkSiweProof, readSiweProof } from '../../accounts/siwe/siwe-proof.ts';
import { siweSettingsOf } from '../../accounts/siwe/siwe-settings.ts';
import {
  requireUserInteractiveAuth,
  type UiaPolicy,
  uiaDepsOf,
} from '../../accounts/user-interactive-auth.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { forbidden, unrecognized } from '../../http/matrix-error.ts';
import { requireUser } from '../../http/require-user.ts';
import { getWalletOwner, linkWallet } from '../../storage/ethereum-wallets.ts';
import { consumeSiweNonce } from '../../storage/siwe-nonces.ts';

export const linkWalletPolicy: UiaPolicy = {
  endpoint: 'POST /_cairn/v1/account/wallets',
  flows: [['m.login.password']],
};

export const linkWalletEndpoint = defineEndpoint<Context, LinkWalletBody>({
  method: 'POST',
  path: '/_cairn/v1/account/wallets',
  schema: { body: linkWalletBody },
  handler: async (ctx, request) => {
    const settings = siweSettingsOf(ctx.config);
    if (!settings) throw unrecognized('Sign-In with Ethereum is not enabled on this server');
    const user = await requireUser(ctx, request);
    const body = request.body ?? {};
    const proof = readSiweProof(body as Record<string, unknown>);
    const address = proof.fields.address;
    const owner = await getWalletOwner(ctx.db, address);
    // Linked already: nothing to confirm, and the nonce stays for another use.
    if (owner === user.userId) return { address };
    if (owner !== undefined) throw forbidden('This wallet is linked to another account');
    // The proof is checked before the user is asked to authenticate, so a bad one costs them no
    // password prompt; the nonce is used up only with the link.
    const refusal = await checkSiweProof({ db: ctx.db, settings, now: ctx.now() }, proof);
    if (refusal) throw forbidden(refusal.reason);
    await requireUserInteractiveAuth(uiaDepsOf(ctx), linkWalletPolicy, {
      auth: body.auth,
      requesterId: user.userId,
    });
    await ctx.db.transaction().execute(async (trx) => {
      if (!(await consumeSiweNonce(trx, proof.fields.nonce, ctx.now()))) {
        throw forbidden('The nonce is unknown, expired or already used');
      }
      if (!(await linkWallet(trx, address, user.userId, ctx.now()))) {
        throw forbidden('This wallet was linked to an account meanwhile');
      }
    });
    return { address };
  },
});
