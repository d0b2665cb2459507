// IPLD blocks on a Kubo node through its RPC API (`block/put --pin`, `block/get`, `pin/ls`).
// A block is stored when it is pinned: unpinned blocks stay in the repo only until Kubo's garbage
// collection. Every call is bounded by a timeout, so a stuck node fails an anchoring pass (which
// is retried later) instead of hanging it.
import type { CID } from 'multiformats/cid';
import { lazyKuboClient } from '../files/lazy-kubo-client.ts';
import {
  BLOCK_CODECS,
  BlockNotFoundError,
  checkStorable,
  InvalidBlockError,
  type IpldBlockStore,
  verifyBlock,
} from './ipld-block-store.ts';

export interface KuboBlockStoreOptions {
  /** Bound on each RPC call; default 30 s. */
  readonly timeoutMs?: number;
}

/** The node did not answer in time; nothing is known about whether a put took effect. */
export class BlockStoreTimeoutError extends Error {
  override name = 'BlockStoreTimeoutError';
  constructor(operation: string, cid: CID, timeoutMs: number) {
    super(`Kubo did not answer ${operation} ${cid} within ${timeoutMs} ms`);
  }
}

// Kubo's global `offline` option: answer from the local repo only. Without it, a get of a block
// the node lacks searches the network until the timeout.
const OFFLINE = { offline: true } as Record<string, unknown>;

export function createKuboBlockStore(
  apiUrl: string,
  options: KuboBlockStoreOptions = {},
): IpldBlockStore {
  const kubo = lazyKuboClient(apiUrl);
  const timeoutMs = options.timeoutMs ?? 30_000;

  async function bounded<T>(
    operation: string,
    cid: CID,
    call: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      return await call(signal);
    } catch (error) {
      // The client's own `timeout` option never aborts the request (kubo-rpc-client 7.1 checks
      // isNaN on a number), so the bound is this signal.
      if (signal.aborted) throw new BlockStoreTimeoutError(operation, cid, timeoutMs);
      throw error;
    }
  }

  async function put(cid: CID, bytes: Uint8Array): Promise<void> {
    checkStorable(cid, bytes);
    const client = await kubo();
    const stored = await bounded('block/put', cid, (signal) =>
      client.block.put(bytes, {
        // `cid-codec`, not the deprecated `format` that Kubo keeps for CIDv0.
        'cid-codec': BLOCK_CODECS.get(cid.code),
        mhtype: 'sha2-256',
        pin: true,
        signal,
      } as Record<string, unknown>),
    );
    if (!stored.equals(cid)) {
      // Only a node that ignores the options above could get here; its pin is not ours to keep.
      await client.pin.rm(stored, { signal: AbortSignal.timeout(timeoutMs) }).catch(() => {});
      throw new InvalidBlockError(cid, `Kubo stored the bytes as ${stored}`);
    }
  }

  async function get(cid: CID): Promise<Uint8Array> {
    let bytes: Uint8Array;
    try {
      const client = await kubo();
      bytes = await bounded('block/get', cid, (signal) =>
        client.block.get(cid, { ...OFFLINE, signal }),
      );
    } catch (error) {
      if (isKuboMessage(error, /not found locally|could not find|block was not found/))
        throw new BlockNotFoundError(cid);
      throw error;
    }
    // Kubo does not rehash on read by default; the verifier relies on what get returns.
    verifyBlock(cid, bytes);
    return bytes;
  }

  async function has(cid: CID): Promise<boolean> {
    return bounded('pin/ls', cid, async (signal) => {
      try {
        // type=recursive: one lookup in the pin set, not a walk of pinned DAGs for indirect pins.
        for await (const pin of (await kubo()).pin.ls({
          ...OFFLINE,
          paths: cid,
          type: 'recursive',
          signal,
        }))
          if (pin.cid.equals(cid)) return true;
        return false;
      } catch (error) {
        if (isKuboMessage(error, /is not pinned|not found locally|could not find/)) return false;
        throw error;
      }
    });
  }

  return { kind: 'kubo', put, get, has };
}

function isKuboMessage(error: unknown, pattern: RegExp): boolean {
  return error instanceof Error && pattern.test(error.message);
}
