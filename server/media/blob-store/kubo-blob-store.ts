// Blobs on a Kubo node through its RPC API. A blob is stored when its root is pinned recursively:
// `has`, `get` and `remove` look at pins, not at blocks, because blocks of an aborted add or of
// an unpinned blob stay in the repo until Kubo's garbage collection.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { CID } from 'multiformats/cid';
import { request } from 'undici';
import { lazyKuboClient } from '../../files/lazy-kubo-client.ts';
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
const ADD_QUERY = new URLSearchParams({
  'cid-version': String(UNIXFS_IMPORT.cidVersion),
  'raw-leaves': String(UNIXFS_IMPORT.rawLeaves),
  hash: UNIXFS_IMPORT.hash,
  chunker: `size-${UNIXFS_IMPORT.chunkSize}`,
  'max-file-links': String(UNIXFS_IMPORT.maxLinksPerNode),
  trickle: 'false',
  pin: 'true',
  progress: 'false',
  quieter: 'true',
}).toString();

/** Longest wait for Kubo to take or send more bytes, or to answer, while adding or reading. */
const ADD_IDLE_TIMEOUT_MS = 120_000;

// Kubo's global `offline` option: answer from the local repo only. Without it, asking about a
// CID the node lacks makes it search the network until a timeout.
const OFFLINE = { offline: true } as Record<string, unknown>;

/** Bound on the small metadata calls (pin ls, pin rm): a stuck node must not hang a request. */
const METADATA_TIMEOUT_MS = 10_000;

export function createKuboBlobStore(apiUrl: string): BlobStore {
  const kubo = lazyKuboClient(apiUrl);
  const apiBase = apiUrl.replace(/\/+$/, '');
  async function put(
    bytes: AsyncIterable<Uint8Array>,
    options: { maxBytes: number },
  ): Promise<StoredBlob> {
    // Not kubo-rpc-client's add: it sends through Node's built-in fetch, which keeps a streamed
    // request body in memory (the whole file; nodejs/undici#4058). undici's request streams it.
    const boundary = randomBytes(16).toString('hex');
    let size = 0;
    let failure: unknown;
    async function* multipart(): AsyncGenerator<Uint8Array> {
      yield Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="blob"\r\n` +
          'Content-Type: application/octet-stream\r\n\r\n',
      );
      try {
        for await (const chunk of bytes) {
          size += chunk.byteLength;
          if (size > options.maxBytes) throw new BlobTooLargeError(options.maxBytes);
          yield chunk;
        }
      } catch (error) {
        // Thrown before the closing boundary: the request is destroyed mid-body, so Kubo sees a
        // broken upload, fails the add and pins nothing.
        failure = error;
        throw error;
      }
      yield Buffer.from(`\r\n--${boundary}--\r\n`);
    }
    let reply: string;
    try {
      const response = await request(`${apiBase}/api/v0/add?${ADD_QUERY}`, {
        method: 'POST',
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        body: Readable.from(multipart()),
        headersTimeout: ADD_IDLE_TIMEOUT_MS,
        bodyTimeout: ADD_IDLE_TIMEOUT_MS,
      });
      reply = await response.body.text();
      if (response.statusCode !== 200) {
        throw new Error(`Kubo add failed: ${response.statusCode} ${reply.slice(0, 500)}`);
      }
    } catch (error) {
      // The request fails with undici's own error; the reason is the source's.
      throw failure ?? error;
    }
    // One JSON object per line (progress off, quieter): the last one names the root.
    const last = reply.trim().split('\n').at(-1) ?? '';
    const added = JSON.parse(last) as { Hash?: unknown };
    if (typeof added.Hash !== 'string') throw new Error(`Kubo add gave no CID: ${last}`);
    return { cid: CID.parse(added.Hash).toV1().toString(), size };
  }

  async function* get(cid: string, range?: ByteRange): AsyncIterable<Uint8Array> {
    // `cat` alone would also serve blocks left over after remove; the pin is what says stored.
    if (!(await has(cid))) throw new BlobNotFoundError(cid);
    if (range?.length === 0) return;
    // undici rather than the client's cat, for the same reason as put: a steady stream, not
    // Node's built-in fetch.
    const query = new URLSearchParams({ arg: cid, offline: 'true' });
    if (range?.offset) query.set('offset', String(range.offset));
    if (range?.length !== undefined) query.set('length', String(range.length));
    const response = await request(`${apiBase}/api/v0/cat?${query}`, {
      method: 'POST',
      headersTimeout: ADD_IDLE_TIMEOUT_MS,
      bodyTimeout: ADD_IDLE_TIMEOUT_MS,
    });
    if (response.statusCode !== 200) {
      const reply = await response.body.text();
      // Unpinned and collected between the check and the read.
      if (/not found locally|could not find/.test(reply)) throw new BlobNotFoundError(cid);
      throw new Error(`Kubo cat failed: ${response.statusCode} ${reply.slice(0, 500)}`);
    }
    yield* response.body;
  }

  async function has(cid: string): Promise<boolean> {
    if (canonicalBlobCid(cid) === undefined) return false;
    try {
      // type=recursive: one lookup in the pin set, not a walk of every pinned DAG for indirect pins.
      for await (const pin of (await kubo()).pin.ls({
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
      await (await kubo()).pin.rm(cid, {
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
