// Where anchoring's IPLD blocks live (snapshots, epochs, archived events): on a Kubo node or in a
// local directory, named by CID either way. Unlike the media blob store (UnixFS files chunked
// into a DAG) each value here is one block: the caller encodes it and knows its CID before
// storing it, and a store checks bytes against the CID both ways, so what `get` returns is
// always what the CID names.
import * as dagJson from '@ipld/dag-json';
import { equals } from 'multiformats/bytes';
import type { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { sha256Digest } from './snapshot-document.ts';

/** Read side: what a verifier needs, whether blocks come from a store or a CAR file. */
export interface BlockSource {
  /** The block's bytes, checked against the CID; BlockNotFoundError if absent. */
  get(cid: CID): Promise<Uint8Array>;
  has(cid: CID): Promise<boolean>;
}

export interface IpldBlockStore extends BlockSource {
  readonly kind: 'kubo' | 'local';
  /**
   * Stores and pins the block. The bytes must hash to the CID (InvalidBlockError otherwise).
   * Store a block's links before the block: Kubo pins recursively, and its garbage collector
   * walks pinned DAGs, so a pinned block whose children are missing breaks collection.
   * Storing a block twice is harmless.
   */
  put(cid: CID, bytes: Uint8Array): Promise<void>;
  close?(): Promise<void>;
}

/**
 * Kubo refuses bigger blocks without allow-big-block, and peers will not exchange them; the local
 * store enforces the same bound so that a deployment can move to Kubo.
 */
export const MAX_BLOCK_BYTES = 1024 * 1024;

/** Codecs a block may have: dag-json documents, and raw bytes. */
export const BLOCK_CODECS: ReadonlyMap<number, string> = new Map([
  [dagJson.code, dagJson.name],
  [raw.code, raw.name],
]);

export class BlockNotFoundError extends Error {
  override name = 'BlockNotFoundError';
  readonly cid: string;
  constructor(cid: CID | string) {
    super(`No stored block with CID ${cid}`);
    this.cid = cid.toString();
  }
}

/** Bytes that are not what the CID names, or a CID or block that a store does not take. */
export class InvalidBlockError extends Error {
  override name = 'InvalidBlockError';
  readonly cid: string;
  constructor(cid: CID | string, reason: string) {
    super(`Block ${cid}: ${reason}`);
    this.cid = cid.toString();
  }
}

/** Throws InvalidBlockError unless `bytes` hash (sha2-256) to `cid`'s multihash. */
export function verifyBlock(cid: CID, bytes: Uint8Array): void {
  if (cid.multihash.code !== sha256.code)
    throw new InvalidBlockError(
      cid,
      `hash function 0x${cid.multihash.code.toString(16)} is not sha2-256`,
    );
  if (!equals(sha256Digest(bytes).bytes, cid.multihash.bytes))
    throw new InvalidBlockError(cid, 'bytes do not hash to the CID');
}

/**
 * What a store checks before a put: a CIDv1 of a known codec, bytes that hash to it, a size a
 * Kubo node takes, and for dag-json bytes that decode (Kubo decodes pinned blocks to walk them).
 */
export function checkStorable(cid: CID, bytes: Uint8Array): void {
  if (cid.version !== 1) throw new InvalidBlockError(cid, 'only CIDv1 is stored');
  if (!BLOCK_CODECS.has(cid.code))
    throw new InvalidBlockError(cid, `codec 0x${cid.code.toString(16)} is not dag-json or raw`);
  if (bytes.byteLength > MAX_BLOCK_BYTES)
    throw new InvalidBlockError(cid, `${bytes.byteLength} bytes is over ${MAX_BLOCK_BYTES}`);
  verifyBlock(cid, bytes);
  if (cid.code === dagJson.code) {
    try {
      dagJson.decode(bytes);
    } catch (error) {
      throw new InvalidBlockError(cid, `not dag-json (${(error as Error).message})`);
    }
  }
}
