// Sign-In with Ethereum messages for tests: an EIP-4361 message for the in-process test server
// (server name example.org, public_baseurl http://example.org:8008/, chain 1, the fixed clock)
// unless told otherwise, signed by an ethers wallet the way a browser wallet would (EIP-191).
import type { Signer } from 'ethers';
import { SiweMessage } from 'siwe';
import { TEST_NOW, TEST_SERVER_NAME } from './databases.ts';

export interface SiweMessageFields {
  domain?: string;
  uri?: string;
  chainId?: number;
  nonce: string;
  issuedAt?: string;
  expirationTime?: string;
  notBefore?: string;
  scheme?: string;
}

/** The message text for `address` (EIP-55 checksummed). */
export function siweMessageText(address: string, fields: SiweMessageFields): string {
  return new SiweMessage({
    domain: TEST_SERVER_NAME,
    uri: `http://${TEST_SERVER_NAME}:8008/`,
    chainId: 1,
    issuedAt: new Date(TEST_NOW).toISOString(),
    statement: 'Sign in to Cairn',
    version: '1',
    ...fields,
    address,
  }).prepareMessage();
}

/** `{ message, signature }` as a login body, a UIA auth dict or a link request carries them. */
export async function signedSiwe(
  wallet: Signer,
  fields: SiweMessageFields,
): Promise<{ message: string; signature: string }> {
  const message = siweMessageText(await wallet.getAddress(), fields);
  return { message, signature: await wallet.signMessage(message) };
}
