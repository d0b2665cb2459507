// A room snapshot: the room's forward extremities at a stream position, linked to the room's
// previous snapshot. Event ids commit to their content and their prev_events, so the heads commit
// to the whole history; the links make each room's snapshots a hash chain. Pure: no I/O.
//
// The document is dag-json, and its CID is the hash of its canonical bytes: the same snapshot
// always has the same CID, whichever order its fields were given in. This file also holds the
// block encoding and the validation helpers that the epoch document shares.
import { createHash } from 'node:crypto';
import * as dagJson from '@ipld/dag-json';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { sha256 } from 'multiformats/hashes/sha2';

export const SNAPSHOT_TYPE = 'cairn.room-snapshot';

export interface SnapshotHead {
  readonly eventId: string;
  readonly depth: number;
}

export interface RoomSnapshot {
  readonly type: typeof SNAPSHOT_TYPE;
  readonly v: 1;
  readonly roomId: string;
  readonly roomVersion: string;
  /** Forward extremities, sorted by event id (UTF-8 byte order), no duplicates, at least one. */
  readonly heads: readonly SnapshotHead[];
  /** Events of the room up to this stream position are covered. */
  readonly streamPosition: number;
  /** The room's previous snapshot, or null for its first. */
  readonly previous: CID | null;
  readonly epoch: number;
}

export type RoomSnapshotInput = Omit<RoomSnapshot, 'type' | 'v'>;

export interface EncodedBlock {
  /** CIDv1, dag-json codec, sha2-256. */
  readonly cid: CID;
  readonly bytes: Uint8Array;
}

/** A document (built here or decoded from bytes) that is not what its type says it is. */
export class InvalidDocumentError extends Error {
  override name = 'InvalidDocumentError';
}

/** Encodes an IPLD value as canonical dag-json and names it by its hash. */
export function encodeBlock(value: unknown): EncodedBlock {
  const bytes = dagJson.encode(value);
  return { cid: dagJsonCid(bytes), bytes };
}

export function dagJsonCid(bytes: Uint8Array): CID {
  return CID.create(1, dagJson.code, sha256Digest(bytes));
}

/** sha2-256 multihash, synchronously (multiformats' hasher is typed as maybe-async). */
export function sha256Digest(bytes: Uint8Array): Digest.Digest<typeof sha256.code, number> {
  return Digest.create(sha256.code, createHash('sha256').update(bytes).digest());
}

/** Builds a snapshot: checks every field, sorts the heads. Throws InvalidDocumentError. */
export function roomSnapshot(input: RoomSnapshotInput): RoomSnapshot {
  const check = new Checker('room snapshot');
  const heads = check.array(input.heads, 'heads').map((head, i) => {
    const at = `heads[${i}]`;
    const fields = check.record(head, at);
    return {
      eventId: check.sigilString(fields.eventId, '$', `${at}.eventId`),
      depth: check.count(fields.depth, `${at}.depth`),
    };
  });
  heads.sort((a, b) => compareUtf8(a.eventId, b.eventId));
  return checkSnapshot(
    {
      type: SNAPSHOT_TYPE,
      v: 1,
      roomId: input.roomId,
      roomVersion: input.roomVersion,
      heads,
      streamPosition: input.streamPosition,
      previous: input.previous,
      epoch: input.epoch,
    },
    check,
  );
}

/** Decodes and validates a snapshot block's bytes. Throws InvalidDocumentError. */
export function decodeSnapshot(bytes: Uint8Array): RoomSnapshot {
  const check = new Checker('room snapshot');
  return checkSnapshot(decodeCanonical(bytes, check), check);
}

function checkSnapshot(value: unknown, check: Checker): RoomSnapshot {
  const doc = check.record(value, 'document');
  // The tag first: an epoch given as a snapshot is named as such, not as a missing field.
  check.tag(doc, SNAPSHOT_TYPE);
  check.exactKeys(doc, [
    'type',
    'v',
    'roomId',
    'roomVersion',
    'heads',
    'streamPosition',
    'previous',
    'epoch',
  ]);
  const heads = check.array(doc.heads, 'heads').map((head, i) => {
    const at = `heads[${i}]`;
    const fields = check.record(head, at);
    check.exactKeys(fields, ['eventId', 'depth'], at);
    return {
      eventId: check.sigilString(fields.eventId, '$', `${at}.eventId`),
      depth: check.count(fields.depth, `${at}.depth`),
    };
  });
  if (heads.length === 0) check.fail('heads must not be empty');
  check.sortedUnique(
    heads.map((head) => head.eventId),
    'heads',
  );
  const roomVersion = doc.roomVersion;
  if (typeof roomVersion !== 'string' || roomVersion === '')
    check.fail('roomVersion must be a non-empty string');
  return {
    type: SNAPSHOT_TYPE,
    v: 1,
    roomId: check.sigilString(doc.roomId, '!', 'roomId'),
    roomVersion,
    heads,
    streamPosition: check.count(doc.streamPosition, 'streamPosition'),
    previous: check.optionalLink(doc.previous, 'previous'),
    epoch: check.count(doc.epoch, 'epoch'),
  };
}

/**
 * Orders strings by their UTF-8 bytes (code point order), as Go, Rust or Solidity would compare
 * them; JavaScript's `<` compares UTF-16 units and differs above U+FFFF.
 */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Decodes dag-json and insists on the canonical form. The decoder accepts any key order,
 * whitespace and `1.0` for 1; a document is only accepted in the one form its CID is made from,
 * so that a snapshot or epoch has exactly one block.
 */
export function decodeCanonical(bytes: Uint8Array, check: Checker): unknown {
  let value: unknown;
  try {
    value = dagJson.decode(bytes);
  } catch (error) {
    check.fail(`not dag-json (${(error as Error).message})`);
  }
  let again: Uint8Array;
  try {
    again = dagJson.encode(value);
  } catch (error) {
    check.fail(`not encodable as dag-json (${(error as Error).message})`);
  }
  if (Buffer.compare(again, bytes) !== 0) check.fail('not in canonical dag-json form');
  return value;
}

/** Is `cid` a link to a document of ours: CIDv1, dag-json, sha2-256? */
export function isDocumentLink(cid: CID): boolean {
  return cid.version === 1 && cid.code === dagJson.code && cid.multihash.code === sha256.code;
}

/** Validation helpers: each throws InvalidDocumentError naming the document and the field. */
export class Checker {
  readonly #what: string;
  constructor(what: string) {
    this.#what = what;
  }

  fail(message: string): never {
    throw new InvalidDocumentError(`Invalid ${this.#what}: ${message}`);
  }

  record(value: unknown, at: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || isCid(value))
      this.fail(`${at} must be a map`);
    return value as Record<string, unknown>;
  }

  array(value: unknown, at: string): unknown[] {
    if (!Array.isArray(value)) this.fail(`${at} must be a list`);
    return value;
  }

  exactKeys(value: Record<string, unknown>, keys: readonly string[], at = 'document'): void {
    for (const key of keys) if (!Object.hasOwn(value, key)) this.fail(`${at} lacks ${key}`);
    for (const key of Object.keys(value))
      if (!keys.includes(key)) this.fail(`${at} has an unknown field ${JSON.stringify(key)}`);
  }

  tag(doc: Record<string, unknown>, type: string): void {
    if (doc.type !== type)
      this.fail(`type is ${JSON.stringify(doc.type)}, expected ${JSON.stringify(type)}`);
    if (doc.v !== 1) this.fail(`version ${JSON.stringify(doc.v)} is not supported (expected 1)`);
  }

  /** A non-negative safe integer: depths, positions, epoch numbers, timestamps. */
  count(value: unknown, at: string): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
      this.fail(`${at} must be a non-negative integer`);
    return value;
  }

  /** A Matrix identifier by its sigil ('!' room, '$' event). */
  sigilString(value: unknown, sigil: string, at: string): string {
    if (typeof value !== 'string' || value.length < 2 || !value.startsWith(sigil))
      this.fail(`${at} must be a string starting with ${sigil}`);
    return value;
  }

  link(value: unknown, at: string): CID {
    const cid = CID.asCID(value);
    if (cid === null || !isDocumentLink(cid))
      this.fail(`${at} must be a link to a dag-json document (CIDv1, sha2-256)`);
    return cid;
  }

  optionalLink(value: unknown, at: string): CID | null {
    return value === null ? null : this.link(value, at);
  }

  sortedUnique(keys: readonly string[], at: string): void {
    for (let i = 1; i < keys.length; i++) {
      const order = compareUtf8(keys[i - 1]!, keys[i]!);
      if (order === 0) this.fail(`${at} lists ${keys[i]} twice`);
      if (order > 0) this.fail(`${at} are not sorted (${keys[i]} after ${keys[i - 1]})`);
    }
  }
}

function isCid(value: object): boolean {
  return CID.asCID(value) !== null;
}
