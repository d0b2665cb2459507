// For tests of joining, knocking and leaving over federation: a resident server played by the
// test (host.test, with a made-up signing key), the events it signs, and a key store that knows
// its key and ours.
import { TEST_SERVER_NAME } from '../../conformance-tests/support/databases.ts';
import { remoteSigningKey } from '../../conformance-tests/support/federation-request.ts';
import type { Context } from '../../server/context.ts';
import { withEventId } from '../../server/core/event-id.ts';
import type { EventWithId, JsonObject, Pdu } from '../../server/core/pdu.ts';
import { getRoomVersion } from '../../server/core/room-versions.ts';
import { hashAndSignEvent } from '../../server/core/sign-event.ts';
import type { ServerKeyStore } from '../keys/remote-keys.ts';

export const HOST = 'host.test';
export const OWNER = `@owner:${HOST}`;
export const BOB = `@bob:${TEST_SERVER_NAME}`;
export const hostVersion = getRoomVersion('10')!;
export const hostKey = remoteSigningKey(HOST);
const hostSigner = { serverName: HOST, keyId: hostKey.keyId, key: hostKey.privateKey };

/** An event of `roomId` signed by host.test, sent by its owner unless `fields` say otherwise. */
export function hostEvent(
  roomId: string,
  fields: Partial<Pdu> & { type: string; content: JsonObject },
): EventWithId {
  return withEventId(
    hostVersion,
    hashAndSignEvent(
      hostVersion,
      {
        room_id: roomId,
        sender: OWNER,
        origin_server_ts: 1000,
        depth: 1,
        prev_events: [],
        auth_events: [],
        hashes: {},
        signatures: {},
        ...fields,
      },
      hostSigner,
    ),
  );
}

/** Our key store for the test: host.test's made-up key, and our own. */
export function keysFor(ctx: Context): ServerKeyStore {
  return {
    getVerifyKey: async (serverName, keyId) => {
      const key = serverName === TEST_SERVER_NAME ? ctx.signingKey : remoteSigningKey(serverName);
      return keyId === key.keyId ? key.publicKeyBase64 : undefined;
    },
    getKeyResponses: async () => [],
  };
}
