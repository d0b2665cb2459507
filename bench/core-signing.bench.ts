// The signed-event core on a realistic m.room.message PDU of about 1 KB: canonical JSON (ours
// and npm canonicaljson), hashes, and Ed25519 signing and verifying with Node's crypto and
// tweetnacl. Signing and verifying are timed on the same bytes, the canonical JSON of the
// redacted event, so the two libraries are compared on crypto alone.

import { createPublicKey } from 'node:crypto';
import { createRequire } from 'node:module';
import nacl from 'tweetnacl';
import { decodeBase64 } from '../server/core/base64.ts';
import { canonicalJsonBytes, encodeCanonicalJson } from '../server/core/canonical-json.ts';
import { computeEventId } from '../server/core/event-id.ts';
import { computeContentHash } from '../server/core/hashes.ts';
import type { Pdu } from '../server/core/pdu.ts';
import { redactEvent } from '../server/core/redaction.ts';
import { getRoomVersion } from '../server/core/room-versions.ts';
import { hashAndSignEvent, verifyEventSignatures } from '../server/core/sign-event.ts';
import { privateKeyFromSeed, publicKeyOf, signBytes, verifyBytes } from '../server/core/signing.ts';
import { type BenchFigure, measure } from './harness.ts';

export const name = 'core-signing';

const npmCanonicalJson = (
  createRequire(import.meta.url)('canonicaljson') as {
    stringify: (value: unknown) => string;
  }
).stringify;

const VERSION = getRoomVersion('11')!;
const SEED = decodeBase64('YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1');
const SERVER = 'example.org';
const KEY_ID = 'ed25519:a_bench';

// Shaped like a reply with rich text and mentions, as clients send them today.
const UNSIGNED_EVENT = {
  auth_events: [
    '$Nzk3ZjAxYjY5ZjBmNDYyOTk4NmIxNjA5YjZhZjdmYmU',
    '$MGIzNTVmOTVjYjYzNDUwOWFjZmNiMjE0ZDdhNzg1YmI',
    '$ZGYxYjU4NjY2YWYxNDNkMmE3YzU4ZGI0ZmM5MGYxZmY',
  ],
  content: {
    body: '> <@bob:example.com> are we still on for the release on Thursday?\n\nYes. The migration ran cleanly on staging last night and the federation tests are green. The rate limiter change still needs one more review. 🚀',
    format: 'org.matrix.custom.html',
    formatted_body:
      '<mx-reply><blockquote>In reply to @bob:example.com<br>are we still on for the release on Thursday?</blockquote></mx-reply>Yes. The migration ran cleanly on staging last night.',
    'm.mentions': { user_ids: ['@bob:example.com'] },
    'm.relates_to': {
      'm.in_reply_to': { event_id: '$YjU0ZDk5NmM4YjQ1NDYyZjg3Y2U5OWZlNTk3YjVjZWE' },
    },
    msgtype: 'm.text',
  },
  depth: 28461,
  hashes: {},
  origin_server_ts: 1767225600000,
  prev_events: ['$YjU0ZDk5NmM4YjQ1NDYyZjg3Y2U5OWZlNTk3YjVjZWE'],
  room_id: '!OGE5ZmY0MjVkYzRkNDU0YjhmYjQ3NTJkYmE4ZmI:example.org',
  sender: '@alice:example.org',
  signatures: {},
  type: 'm.room.message',
  unsigned: { age_ts: 1767225600000 },
} as Pdu;

export async function run(): Promise<BenchFigure[]> {
  const signer = { serverName: SERVER, keyId: KEY_ID, key: privateKeyFromSeed(SEED) };
  const event = hashAndSignEvent(VERSION, UNSIGNED_EVENT, signer);
  const publicKey = publicKeyOf(SEED);
  const keys = new Map([[KEY_ID, publicKey]]);
  const size = canonicalJsonBytes(event).length;
  const signedBytes = canonicalJsonBytes(stripSignatures(redactEvent(VERSION, event)));
  const naclKeys = nacl.sign.keyPair.fromSeed(SEED);
  const nodeSignature = signBytes(signedBytes, signer.key);
  const naclSignature = nacl.sign.detached(signedBytes, naclKeys.secretKey);
  if (encodeCanonicalJson(event) !== npmCanonicalJson(event)) throw new Error('encoders disagree');
  const note = `${size} B event`;

  return [
    measure('canonical JSON encode (ours)', () => encodeCanonicalJson(event), { note }),
    measure('canonical JSON encode (npm canonicaljson)', () => npmCanonicalJson(event), { note }),
    measure('JSON.stringify, not canonical (baseline)', () => JSON.stringify(event), { note }),
    measure('content hash', () => computeContentHash(event)),
    measure('event id (redact + reference hash, v11)', () => computeEventId(VERSION, event)),
    measure('sign bytes, Node crypto', () => signBytes(signedBytes, signer.key), {
      note: `${signedBytes.length} B redacted`,
    }),
    measure('sign bytes, tweetnacl', () => nacl.sign.detached(signedBytes, naclKeys.secretKey), {
      minMs: 2000,
    }),
    measure('verify bytes, Node crypto (cached key)', () =>
      verifyBytes(signedBytes, nodeSignature, publicKey),
    ),
    measure(
      'verify bytes, tweetnacl',
      () => nacl.sign.detached.verify(signedBytes, naclSignature, naclKeys.publicKey),
      {
        minMs: 2000,
      },
    ),
    measure('public KeyObject from raw key, uncached', () => createRawPublicKey(publicKey), {
      note: 'what the key cache saves per verify',
    }),
    measure('hash + sign event, ours (v11)', () =>
      hashAndSignEvent(VERSION, UNSIGNED_EVENT, signer),
    ),
    measure(
      'verify event signature, ours (v11)',
      () => verifyEventSignatures(VERSION, event, SERVER, keys).ok,
    ),
  ];
}

function stripSignatures(pdu: Pdu): Pdu {
  const { signatures: _signatures, unsigned: _unsigned, ...rest } = pdu;
  return rest as Pdu;
}

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
function createRawPublicKey(raw: Uint8Array) {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}
