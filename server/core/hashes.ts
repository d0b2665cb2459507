// The two hashes of an event. The content hash covers the full event, so a server can tell that
// what it received was redacted on the way; the reference hash covers only the redacted event
// and is the event id from room version 3.
// https://spec.matrix.org/latest/server-server-api/#calculating-the-content-hash-for-an-event
// https://spec.matrix.org/latest/server-server-api/#calculating-the-reference-hash-for-an-event

import { createHash } from 'node:crypto';
import { decodeBase64, encodeBase64 } from './base64.ts';
import { type CanonicalJsonOptions, encodeCanonicalJson } from './canonical-json.ts';
import { isJsonObject, type JsonObject, type Pdu } from './pdu.ts';
import { redactEvent } from './redaction.ts';
import type { RoomVersion } from './room-versions.ts';

export function sha256(data: string | Uint8Array): Uint8Array {
  return createHash('sha256').update(data).digest();
}

/** The canonical JSON options a room version requires: strict from v6. */
export function canonicalJsonOptionsFor(version: RoomVersion): CanonicalJsonOptions {
  return version.strictCanonicalJson ? STRICT : LENIENT;
}
const STRICT: CanonicalJsonOptions = { strict: true };
const LENIENT: CanonicalJsonOptions = { strict: false };

/**
 * SHA-256 of the canonical JSON of the event without `unsigned`, `signatures` and `hashes`:
 * `unsigned` changes in transit, signatures cover the hash, and a hash cannot cover itself.
 */
export function computeContentHash(pdu: JsonObject, options?: CanonicalJsonOptions): Uint8Array {
  const { unsigned: _unsigned, signatures: _signatures, hashes: _hashes, ...covered } = pdu;
  return sha256(encodeCanonicalJson(covered, options));
}

/** A copy of the event with `hashes` set to `{ sha256: <content hash> }`. */
export function addContentHash<T extends JsonObject>(pdu: T, options?: CanonicalJsonOptions): T {
  return { ...pdu, hashes: { sha256: encodeBase64(computeContentHash(pdu, options)) } };
}

/**
 * Whether `hashes.sha256` matches the event. False also when it is missing or not base64; a
 * server then keeps only the redacted event, as the spec says.
 */
export function checkContentHash(pdu: JsonObject, options?: CanonicalJsonOptions): boolean {
  const hashes = pdu.hashes;
  if (!isJsonObject(hashes) || typeof hashes.sha256 !== 'string') return false;
  let claimed: Uint8Array;
  try {
    claimed = decodeBase64(hashes.sha256);
  } catch {
    return false;
  }
  return Buffer.from(claimed).equals(computeContentHash(pdu, options));
}

/**
 * SHA-256 of the canonical JSON of the redacted event without `signatures` and `unsigned`.
 * Redaction already drops `unsigned` and any top-level `age_ts` (which spec versions before 1.7
 * listed separately); removing them again keeps this correct on its own terms.
 */
export function computeReferenceHash(version: RoomVersion, pdu: Pdu): Uint8Array {
  const { signatures: _signatures, unsigned: _unsigned, ...covered } = redactEvent(version, pdu);
  return sha256(encodeCanonicalJson(covered, canonicalJsonOptionsFor(version)));
}
