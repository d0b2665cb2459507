// Bodies of the Sign-In with Ethereum endpoints (/_cairn/v1/...). `message` and `signature` are
// read by server/accounts/siwe/siwe-proof.ts, which names a missing or malformed one precisely.
import { authData } from './auth-data.ts';

// POST /_cairn/v1/account/wallets
export const linkWalletBody = {
  type: 'object',
  properties: {
    message: { type: 'string' },
    signature: { type: 'string' },
    auth: authData,
  },
} as const;

export interface LinkWalletBody {
  message?: string;
  signature?: string;
  auth?: Record<string, unknown>;
}

// DELETE /_cairn/v1/account/wallets/{address}: the body is optional (only `auth`).
export const unlinkWalletBody = {
  type: 'object',
  properties: { auth: authData },
} as const;

export interface UnlinkWalletBody {
  auth?: Record<string, unknown>;
}

export const walletAddressParams = {
  type: 'object',
  required: ['address'],
  properties: { address: { type: 'string' } },
} as const;

export interface WalletAddressParams {
  address: string;
}
