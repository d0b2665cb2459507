// Sign-In with Ethereum (issue 9), as one list for server/app.ts: nonces and wallet linking. The
// login type itself is part of POST /login (account/login.ts -> login-with-siwe.ts).
import type { Context } from '../../context.ts';
import type { Endpoint } from '../../http/endpoint.ts';
import { createSiweNonceEndpoint } from './create-siwe-nonce.ts';
import { linkWalletEndpoint } from './link-wallet.ts';
import { listWalletsEndpoint } from './list-wallets.ts';
import { unlinkWalletEndpoint } from './unlink-wallet.ts';

// biome-ignore lint/suspicious/noExplicitAny: endpoints differ in their request generics
export const siweEndpoints: readonly Endpoint<Context, any, any, any>[] = [
  createSiweNonceEndpoint,
  listWalletsEndpoint,
  linkWalletEndpoint,
  unlinkWalletEndpoint,
];
