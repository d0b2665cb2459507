// Fixtures for the key backup tests (room-keys.test.ts, backup-versions.test.ts): the endpoints
// registered when server/app.ts lacks them, key data, and one account's calls.
import assert from 'node:assert/strict';
import type {
  ClientHarness,
  TestAccount,
} from '../../../conformance-tests/support/client-harness.ts';
import { registerEndpoints } from '../../http/endpoint.ts';
import { roomKeysEndpoints } from './room-keys-endpoints.ts';

export const ALGORITHM = 'm.megolm_backup.v1.curve25519-aes-sha2';
export const VERSION_PATH = '/_matrix/client/v3/room_keys/version';
export const KEYS_PATH = '/_matrix/client/v3/room_keys/keys';
export const ROOM_A = '!a:example.org';
export const ROOM_B = '!b:example.org';

export function prepare(client: ClientHarness): void {
  if (!client.app.hasRoute({ method: 'POST', url: VERSION_PATH })) {
    registerEndpoints(client.app, client.ctx, roomKeysEndpoints);
  }
}

export function key(
  firstMessageIndex: number,
  forwardedCount: number,
  isVerified: boolean,
  tag = 'x',
) {
  return {
    first_message_index: firstMessageIndex,
    forwarded_count: forwardedCount,
    is_verified: isVerified,
    session_data: { ephemeral: 'e', ciphertext: tag, mac: 'm' },
  };
}

export function keysUrl(version: string, roomId?: string, sessionId?: string): string {
  let path = KEYS_PATH;
  if (roomId !== undefined) path += `/${encodeURIComponent(roomId)}`;
  if (sessionId !== undefined) path += `/${encodeURIComponent(sessionId)}`;
  return `${path}?version=${encodeURIComponent(version)}`;
}

export function helpers(client: ClientHarness, as: TestAccount) {
  const token = as.accessToken;
  const authData = (publicKey: string) => ({ public_key: publicKey, signatures: {} });
  return {
    create: async (publicKey = 'pk1') => {
      const result = await client.call('POST', VERSION_PATH, {
        token,
        body: { algorithm: ALGORITHM, auth_data: authData(publicKey) },
      });
      assert.equal(result.status, 200, JSON.stringify(result.body));
      return result.body.version as string;
    },
    current: () => client.call('GET', VERSION_PATH, { token }),
    version: (version: string) => client.call('GET', `${VERSION_PATH}/${version}`, { token }),
    update: (version: string, body: unknown) =>
      client.call('PUT', `${VERSION_PATH}/${version}`, { token, body }),
    deleteVersion: (version: string) =>
      client.call('DELETE', `${VERSION_PATH}/${version}`, { token }),
    put: (version: string, body: unknown, roomId?: string, sessionId?: string) =>
      client.call('PUT', keysUrl(version, roomId, sessionId), { token, body }),
    get: (version: string, roomId?: string, sessionId?: string) =>
      client.call('GET', keysUrl(version, roomId, sessionId), { token }),
    del: (version: string, roomId?: string, sessionId?: string) =>
      client.call('DELETE', keysUrl(version, roomId, sessionId), { token }),
    authData,
  };
}
