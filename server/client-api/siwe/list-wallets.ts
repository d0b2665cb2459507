// GET /_cairn/v1/account/wallets
// Cairn's own endpoint: the requester's linked wallets, oldest first, addresses checksummed (the
// first is the one their profile shows), so a client can offer to unlink them.
import { getAddress } from 'ethers';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { listWalletsOfUser } from '../../storage/ethereum-wallets.ts';

export const listWalletsEndpoint = defineEndpoint<Context>({
  method: 'GET',
  path: '/_cairn/v1/account/wallets',
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const wallets = await listWalletsOfUser(ctx.db, user.userId);
    return {
      wallets: wallets.map((wallet) => ({
        address: getAddress(wallet.address),
        linked_ts: wallet.linkedTs,
      })),
    };
  },
});
