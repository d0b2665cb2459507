// CAR (v1) files: a room's archived blocks in one file (`cairn export-room --car`), which anyone
// can import into IPFS or hand to `verify-room`. Writing streams blocks to disk as they come, so a
// room of any size is written in bounded memory; reading checks every block against its CID.
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CarBlockIterator, CarWriter } from '@ipld/car';
import type { CID } from 'multiformats/cid';
import {
  BlockNotFoundError,
  type BlockSource,
  InvalidBlockError,
  verifyBlock,
} from './ipld-block-store.ts';

export interface CarBlock {
  readonly cid: CID;
  readonly bytes: Uint8Array;
}

export interface CarWritten {
  /** Blocks written (a block given twice is written once). */
  readonly blocks: number;
  readonly bytes: number;
}

/** Blocks in memory, read from a CAR file, served as a BlockSource. */
export interface CarContents extends BlockSource {
  readonly roots: CID[];
  /** Keyed by `cid.toString()`. */
  readonly blocks: ReadonlyMap<string, Uint8Array>;
}

/** A file that is not a readable CAR (truncated, bad header). Bad blocks are InvalidBlockError. */
export class InvalidCarError extends Error {
  override name = 'InvalidCarError';
}

/** Bytes gathered before a write to the file: the encoder yields each varint and CID apart. */
const WRITE_BATCH_BYTES = 256 * 1024;

/**
 * Writes `path` (replacing it) with `root` as the CAR's only root. Each block is checked against
 * its CID, and the root must be among them. The file appears complete or not at all: it is
 * written beside `path` under a temporary name and renamed when done.
 */
export async function writeCarFile(
  path: string,
  root: CID,
  blocks: AsyncIterable<CarBlock> | Iterable<CarBlock>,
): Promise<CarWritten> {
  const tmpPath = join(dirname(path), `.${basename(path)}.${randomUUID()}.partial`);
  const file = await open(tmpPath, 'wx');
  const { writer, out } = CarWriter.create([root]);
  let size = 0;
  let writeError: { error: unknown } | undefined;

  // The writer's put resolves once `out` has been read past its block: this loop is the
  // back-pressure. After a failed write it keeps reading (and dropping) so that put and close
  // still resolve and the producer side can stop cleanly.
  const draining = (async () => {
    let batch: Uint8Array[] = [];
    let batched = 0;
    const flush = async () => {
      if (batched === 0 || writeError) return;
      try {
        await file.write(Buffer.concat(batch, batched));
        size += batched;
      } catch (error) {
        writeError = { error };
      }
      batch = [];
      batched = 0;
    };
    for await (const chunk of out) {
      if (writeError) continue;
      batch.push(chunk);
      batched += chunk.byteLength;
      if (batched >= WRITE_BATCH_BYTES) await flush();
    }
    await flush();
  })();

  let count = 0;
  try {
    let sawRoot = false;
    const seen = new Set<string>();
    try {
      for await (const block of blocks) {
        if (writeError) break;
        verifyBlock(block.cid, block.bytes);
        const key = block.cid.toString();
        if (seen.has(key)) continue;
        seen.add(key);
        if (block.cid.equals(root)) sawRoot = true;
        await writer.put({ cid: block.cid, bytes: block.bytes });
        count++;
      }
    } finally {
      await writer.close();
      await draining;
    }
    if (writeError) throw writeError.error;
    if (!sawRoot) throw new InvalidBlockError(root, 'the CAR root is not among the blocks');
    await file.datasync();
    await file.close();
    await rename(tmpPath, path);
    return { blocks: count, bytes: size };
  } catch (error) {
    await file.close().catch(() => {});
    await unlink(tmpPath).catch(() => {});
    throw error;
  }
}

/**
 * Reads a CAR file block by block, in file order, without holding it: each block is checked
 * against its CID as it is read (InvalidBlockError for one that is not what its CID names).
 */
export async function openCarFile(
  path: string,
): Promise<{ roots: CID[]; blocks: AsyncIterable<CarBlock> }> {
  const stream = createReadStream(path);
  let iterator: CarBlockIterator;
  try {
    iterator = await CarBlockIterator.fromIterable(stream);
  } catch (error) {
    stream.destroy();
    if ((error as NodeJS.ErrnoException).code !== undefined) throw error;
    throw new InvalidCarError(`${path} is not a CAR file: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const roots = await iterator.getRoots();
  async function* verified(): AsyncGenerator<CarBlock> {
    const blocks = iterator[Symbol.asyncIterator]();
    try {
      while (true) {
        let next: IteratorResult<CarBlock>;
        try {
          next = await blocks.next();
        } catch (error) {
          throw new InvalidCarError(`${path}: ${(error as Error).message}`, { cause: error });
        }
        if (next.done) return;
        verifyBlock(next.value.cid, next.value.bytes);
        yield next.value;
      }
    } finally {
      // A reader that stops early (or a bad block) closes the file now, not at collection.
      stream.destroy();
    }
  }
  return { roots, blocks: verified() };
}

/** Reads a whole CAR file into memory, every block checked. */
export async function loadCarFile(path: string): Promise<CarContents> {
  const { roots, blocks: source } = await openCarFile(path);
  const blocks = new Map<string, Uint8Array>();
  for await (const block of source) blocks.set(block.cid.toString(), block.bytes);
  return {
    roots,
    blocks,
    async get(cid) {
      const bytes = blocks.get(cid.toString());
      if (bytes === undefined) throw new BlockNotFoundError(cid);
      return bytes;
    },
    async has(cid) {
      return blocks.has(cid.toString());
    },
  };
}
