// Plain-HTTP client sessions for end-to-end key tests against real servers (Cairn or Synapse):
// client API calls with an access token, password login to a new device, device keys and signed
// one-time keys made with a fresh ed25519 key, and waiting for a user in device_lists.changed.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { encodeBase64 } from '../../server/core/base64.ts';
import type { JsonObject } from '../../server/core/pdu.ts';
import { generateSeed, publicKeyOf, signJson } from '../../server/core/signing.ts';

export interface KeySession {
  readonly baseUrl: string;
  readonly userId: string;
  readonly deviceId: string;
  readonly token: string;
}

/** A client API call under /_matrix/client/v3 that must answer 200; its JSON body. */
export async function clientCall(
  session: KeySession,
  method: string,
  path: string,
  body?: unknown,
) {
  const response = await fetch(`${session.baseUrl}/_matrix/client/v3${path}`, {
    method,
    headers: {
      authorization: `Bearer ${session.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response.json()) as JsonObject;
  assert.equal(
    response.status,
    200,
    `${session.baseUrl} ${method} ${path}: ${JSON.stringify(json)}`,
  );
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever the server answered
  return json as any;
}

/** Logs `user` in with a password; a new device unless `deviceId` is given. */
export async function passwordLogin(
  baseUrl: string,
  user: string,
  password: string,
  deviceId?: string,
): Promise<KeySession> {
  const response = await fetch(`${baseUrl}/_matrix/client/v3/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'm.login.password',
      identifier: { type: 'm.id.user', user },
      password,
      ...(deviceId === undefined ? {} : { device_id: deviceId }),
    }),
  });
  const body = (await response.json()) as {
    user_id: string;
    device_id: string;
    access_token: string;
  };
  assert.equal(response.status, 200, JSON.stringify(body));
  return { baseUrl, userId: body.user_id, deviceId: body.device_id, token: body.access_token };
}

export interface UploadedDeviceKeys {
  readonly seed: Uint8Array;
  readonly deviceKeys: JsonObject;
}

/** Uploads device keys signed by a new ed25519 key, and one signed one-time key per id. */
export async function uploadSignedKeys(
  session: KeySession,
  oneTimeKeyIds: readonly string[],
): Promise<UploadedDeviceKeys> {
  const seed = generateSeed(randomBytes);
  const keyId = `ed25519:${session.deviceId}`;
  const deviceKeys = signJson(
    {
      user_id: session.userId,
      device_id: session.deviceId,
      algorithms: ['m.olm.v1.curve25519-aes-sha2', 'm.megolm.v1.aes-sha2'],
      keys: {
        [`curve25519:${session.deviceId}`]: encodeBase64(randomBytes(32)),
        [keyId]: encodeBase64(publicKeyOf(seed)),
      },
    },
    session.userId,
    keyId,
    seed,
  );
  const oneTime = Object.fromEntries(
    oneTimeKeyIds.map((id) => [
      `signed_curve25519:${id}`,
      signJson({ key: encodeBase64(randomBytes(32)) }, session.userId, keyId, seed),
    ]),
  );
  const uploaded = await clientCall(session, 'POST', '/keys/upload', {
    device_keys: deviceKeys,
    one_time_keys: oneTime,
  });
  assert.equal(uploaded.one_time_key_counts.signed_curve25519 ?? 0, oneTimeKeyIds.length);
  return { seed, deviceKeys };
}

/** Syncs from `since` until `userId` is in device_lists.changed; returns the next token. */
export async function syncUntilDeviceListChanged(
  session: KeySession,
  since: string,
  userId: string,
  waitMs: number,
): Promise<string> {
  const deadline = Date.now() + waitMs;
  let token = since;
  while (Date.now() < deadline) {
    const body = await clientCall(session, 'GET', `/sync?since=${token}&timeout=2000`);
    token = body.next_batch;
    if ((body.device_lists?.changed ?? []).includes(userId)) return token;
  }
  throw new Error(`${session.userId} never saw ${userId} in device_lists.changed`);
}
