// Hashing and signing a PDU as a server, and checking another server's signatures on one. The
// signature covers the redacted event (which still holds the content hash), so it stays valid
// after a redaction while the hash still pins the full content.
// https://spec.matrix.org/latest/server-server-api/#signing-events
//
// Keys are passed in: fetching and caching remote keys, and dropping keys that expired before the
// event's origin_server_ts, belong to federation/keys.

import { addContentHash, canonicalJsonOptionsFor, checkContentHash } from './hashes.ts';
import { isJsonObject, type JsonObject, type Pdu } from './pdu.ts';
import { redactEvent } from './redaction.ts';
import type { RoomVersion } from './room-versions.ts';
import {
  type PrivateKeyInput,
  type PublicKeyInput,
  signJson,
  verifyJsonSignature,
} from './signing.ts';
import { ED25519 } from './signing-key.ts';

export class MalformedEventError extends Error {
  override readonly name = 'MalformedEventError';
}

export interface EventSigner {
  readonly serverName: string;
  /** `ed25519:<version>`. */
  readonly keyId: string;
  readonly key: PrivateKeyInput;
}

/**
 * Adds the content hash, signs the redacted event and returns the full event carrying that
 * signature (next to any it already had). Other fields are taken as they are: building the event
 * (prev_events, depth, ...) comes first.
 */
export function hashAndSignEvent(version: RoomVersion, pdu: Pdu, signer: EventSigner): Pdu {
  const options = canonicalJsonOptionsFor(version);
  const hashed = addContentHash(pdu, options);
  const redacted = redactEvent(version, hashed);
  const { signatures } = signJson(redacted, signer.serverName, signer.keyId, signer.key, options);
  return { ...hashed, signatures };
}

/**
 * Adds our signature to an event another server built and hashed (a join we authorise, an
 * invite of one of our users), leaving its hashes and other signatures as they are.
 */
export function countersignEvent(version: RoomVersion, pdu: Pdu, signer: EventSigner): Pdu {
  const options = canonicalJsonOptionsFor(version);
  const redacted = redactEvent(version, pdu);
  const { signatures } = signJson(redacted, signer.serverName, signer.keyId, signer.key, options);
  return { ...pdu, signatures };
}

export type SignatureCheck =
  | { readonly ok: true; readonly keyIds: readonly string[] }
  | {
      readonly ok: false;
      /** unsigned: no signature from the server at all; no-known-key: none under a key given. */
      readonly reason: 'unsigned' | 'no-known-key' | 'bad-signature';
      readonly keyId?: string;
    };

/**
 * Checks `serverName`'s signatures on the redacted event, so it passes for the full event and
 * for a redacted copy. `verifyKeys` maps key ids to the server's public keys that are valid for
 * this event. Signatures under other key ids or algorithms are ignored; every one under a given
 * key must verify, and at least one must exist.
 */
export function verifyEventSignatures(
  version: RoomVersion,
  pdu: Pdu,
  serverName: string,
  verifyKeys: ReadonlyMap<string, PublicKeyInput>,
): SignatureCheck {
  const redacted = redactEvent(version, pdu);
  const byServer = isJsonObject(redacted.signatures) ? redacted.signatures[serverName] : undefined;
  if (!isJsonObject(byServer) || Object.keys(byServer).length === 0) {
    return { ok: false, reason: 'unsigned' };
  }
  const options = canonicalJsonOptionsFor(version);
  const keyIds: string[] = [];
  for (const keyId of Object.keys(byServer)) {
    const publicKey = verifyKeys.get(keyId);
    if (publicKey === undefined || !keyId.startsWith(`${ED25519}:`)) continue;
    if (!verifyJsonSignature(redacted, serverName, keyId, publicKey, options)) {
      return { ok: false, reason: 'bad-signature', keyId };
    }
    keyIds.push(keyId);
  }
  return keyIds.length > 0 ? { ok: true, keyIds } : { ok: false, reason: 'no-known-key' };
}

/** Whether the event's `hashes.sha256` matches it, under the room version's JSON rules. */
export function checkEventContentHash(version: RoomVersion, pdu: Pdu): boolean {
  return checkContentHash(pdu, canonicalJsonOptionsFor(version));
}

/**
 * The servers whose signatures an event needs: the sender's, except on an invite made through a
 * third-party invite (the invited user's server may send it; the auth rules check the `signed`
 * block instead), and in v1 and v2 also the server named in the event id. The signature a
 * restricted join needs from `join_authorised_via_users_server` is an auth rule, checked there.
 */
export function serversRequiredToSign(version: RoomVersion, pdu: Pdu): string[] {
  const servers = new Set<string>();
  const content: JsonObject = isJsonObject(pdu.content) ? pdu.content : {};
  const viaThirdPartyInvite =
    pdu.type === 'm.room.member' &&
    content.membership === 'invite' &&
    'third_party_invite' in content;
  if (!viaThirdPartyInvite) servers.add(serverNameOf(pdu.sender, 'sender'));
  if (version.eventIdFormat === 'server-assigned') {
    servers.add(serverNameOf(pdu.event_id, 'event_id'));
  }
  return [...servers];
}

// User and v1/v2 event ids are `<sigil><localpart>:<server name>`, and a server name may itself
// hold a colon (a port), so the split is at the first colon.
function serverNameOf(id: unknown, field: string): string {
  const colon = typeof id === 'string' ? id.indexOf(':') : -1;
  if (typeof id !== 'string' || colon < 1 || colon === id.length - 1) {
    throw new MalformedEventError(`${field} has no server name`);
  }
  return id.slice(colon + 1);
}
