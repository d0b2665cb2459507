// Random identifiers handed to clients. Tokens carry 256 bits from the CSPRNG; only their hashes
// are stored (storage/access-tokens.ts).
import { randomBytes } from 'node:crypto';

/** Ten upper-case letters, like Synapse's device ids. */
export function newDeviceId(): string {
  return Array.from(randomBytes(10), (byte) => String.fromCharCode(65 + (byte % 26))).join('');
}

export function newAccessToken(): string {
  return `cairn_${randomBytes(32).toString('base64url')}`;
}

export function newRefreshToken(): string {
  return `cairnr_${randomBytes(32).toString('base64url')}`;
}

/** UIA session ids: unguessable, since a completed session authorises a request. */
export function newSessionId(): string {
  return randomBytes(18).toString('base64url');
}
