// Where media bytes live: content-addressed by their IPFS CID (CIDv1, raw leaves), either on a
// Kubo node or in a local directory that computes the same CIDs. The media repository maps media
// ids to CIDs, so the same bytes uploaded twice are stored once.

export interface StoredBlob {
  /** CIDv1 (base32) of the bytes as a UnixFS file with raw leaves, as `ipfs add --cid-version=1` gives. */
  readonly cid: string;
  readonly size: number;
}

export interface ByteRange {
  /** First byte, from 0. */
  readonly offset: number;
  /** Bytes to read from offset; absent: to the end. */
  readonly length?: number;
}

export interface BlobStore {
  readonly kind: 'kubo' | 'local';
  /**
   * Streams the bytes in and stores them (pinned on Kubo). Past `maxBytes` it stops reading and
   * rejects with BlobTooLargeError; a rejected put leaves nothing stored or pinned.
   */
  put(bytes: AsyncIterable<Uint8Array>, options: { maxBytes: number }): Promise<StoredBlob>;
  /** Streams stored bytes out; rejects (or the stream throws) with BlobNotFoundError if absent. */
  get(cid: string, range?: ByteRange): AsyncIterable<Uint8Array>;
  has(cid: string): Promise<boolean>;
  /** Unpins (Kubo) or deletes (local). Absent blobs are not an error. */
  remove(cid: string): Promise<void>;
  close?(): Promise<void>;
}

export class BlobTooLargeError extends Error {
  override name = 'BlobTooLargeError';
  readonly maxBytes: number;
  constructor(maxBytes: number) {
    super(`Content is larger than ${maxBytes} bytes`);
    this.maxBytes = maxBytes;
  }
}

export class BlobNotFoundError extends Error {
  override name = 'BlobNotFoundError';
  readonly cid: string;
  constructor(cid: string) {
    super(`No stored content with CID ${cid}`);
    this.cid = cid;
  }
}
