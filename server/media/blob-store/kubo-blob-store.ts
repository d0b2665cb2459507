// Blobs on a Kubo node through its RPC API. A blob is stored when its root is pinned recursively:
// `has`, `get` and `remove` look at pins, not at blocks, because blocks of an aborted add or of
// an unpinned blob stay in the repo until Kubo's garbage collection.
import { type AddOptions, create } from 'kubo-rpc-client';
import {
  BlobNotFoundError,
  type BlobStore,
  BlobTooLargeError,
  type ByteRange,
  type StoredBlob,
} from './blob-store.ts';
import { canonicalBlobCid, UNIXFS_IMPORT } from './unixfs-cid.ts';

// The same DAG as unixfsCid(). max-file-links and trickle are explicit so that a node whose
// Import.* config differs still gives the CID a local store would.
const ADD_OPTIONS: AddOptions & Record<string, unknown> = {
  cidVersion: UNIXFS_IMPORT.cidVersion,
  rawLeaves: UNIXFS_IMPORT.rawLeaves,
  hashAlg: UNIXFS_IMPORT.hash,
  chunker: `size-${UNIXFS_IMPORT.chunkSize}`,
  'max-file-links': UNIXFS_IMPORT.maxLinksPerNode,
  trickle: false,
  pin: true,
};

// Kubo's global `offline` option: answer from the local repo only. Without it, asking about a
// CID the node lacks makes it search the network until a timeout.
const OFFLINE = { offline: true } as Record<string, unknown>;

/** Bound on the small metadata calls (pin ls, pin rm): a stuck node must not hang a request. */
const METADATA_TIMEOUT_MS = 10_000;

export function createKuboBlobStore(apiUrl: string): BlobStore {
  const client = create({ url: apiUrl });
  async function put(
    bytes: AsyncIterable<Uint8Array>,
    options: { maxBytes: number },
  ): Promise<StoredBlob> {
    const abort = new AbortController();
    let size = 0;
    let failure: unknown;
    async function* counted(): AsyncGenerator<Uint8Array> {
      try {
        for await (const chunk of bytes) {
          size += chunk.byteLength;
          if (size > options.maxBytes) throw new BlobTooLargeError(options.maxBytes);
          yield chunk;
        }
      } catch (error) {
        // The client library catches a source error, aborts its request and rejects with an
        // AbortError, then writes the closing multipart boundary. Were that boundary ever sent,
        // Kubo would read a well-formed, truncated file and pin it; aborting here first does not
        // depend on the library's order. Kubo sees a broken upload, fails the add, pins nothing.
        failure = error;
        abort.abort(error);
        throw error;
      }
    }
    try {
      const added = await client.add(counted(), { ...ADD_OPTIONS, signal: abort.signal });
      return { cid: added.cid.toV1().toString(), size };
    } catch (error) {
      // The add itself rejects with an AbortError; the reason is the source's own error.
      throw failure ?? error;
    }
  }

  async function* get(cid: string, range?: ByteRange): AsyncIterable<Uint8Array> {
    // `cat` alone would also serve blocks left over after remove; the pin is what says stored.
    if (!(await has(cid))) throw new BlobNotFoundError(cid);
    if (range?.length === 0) return;
    try {
      yield* client.cat(cid, { ...OFFLINE, offset: range?.offset, length: range?.length });
    } catch (error) {
      // Unpinned and collected between the check and the read.
      if (isKuboMessage(error, /not found locally|could not find/))
        throw new BlobNotFoundError(cid);
      throw error;
    }
  }

  async function has(cid: string): Promise<boolean> {
    if (canonicalBlobCid(cid) === undefined) return false;
    try {
      // type=recursive: one lookup in the pin set, not a walk of every pinned DAG for indirect pins.
      for await (const pin of client.pin.ls({
        ...OFFLINE,
        paths: cid,
        type: 'recursive',
        signal: AbortSignal.timeout(METADATA_TIMEOUT_MS),
      })) {
        if (pin.cid.toV1().toString() === cid) return true;
      }
      return false;
    } catch (error) {
      if (isKuboMessage(error, /is not pinned|not found locally|could not find/)) return false;
      throw error;
    }
  }

  async function remove(cid: string): Promise<void> {
    if (canonicalBlobCid(cid) === undefined) return;
    try {
      await client.pin.rm(cid, {
        ...OFFLINE,
        recursive: true,
        signal: AbortSignal.timeout(METADATA_TIMEOUT_MS),
      });
    } catch (error) {
      // "not pinned or pinned indirectly": not a blob we hold (maybe a chunk of another one).
      if (!isKuboMessage(error, /not pinned/)) throw error;
    }
  }

  return { kind: 'kubo', put, get, has, remove };
}

function isKuboMessage(error: unknown, pattern: RegExp): boolean {
  return error instanceof Error && pattern.test(error.message);
}
