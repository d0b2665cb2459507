// The MAC of Synapse's shared-secret registration, so `register_new_matrix_user` and other tools
// written for Synapse work unchanged: HMAC-SHA1 keyed with the shared secret over
// nonce NUL username NUL password NUL ("admin" | "notadmin") [NUL user_type], in hex.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SharedSecretRegistration {
  nonce: string;
  username: string;
  password: string;
  admin: boolean;
  userType?: string | undefined;
}

export function sharedSecretMac(secret: string, registration: SharedSecretRegistration): string {
  const parts = [
    registration.nonce,
    registration.username,
    registration.password,
    registration.admin ? 'admin' : 'notadmin',
  ];
  if (registration.userType !== undefined) parts.push(registration.userType);
  return createHmac('sha1', secret).update(parts.join('\u0000'), 'utf8').digest('hex');
}

export function checkSharedSecretMac(
  secret: string,
  registration: SharedSecretRegistration,
  mac: string,
): boolean {
  const expected = Buffer.from(sharedSecretMac(secret, registration), 'utf8');
  const given = Buffer.from(mac.toLowerCase(), 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given);
}
