// Blobs as files in a directory, named by the CID Kubo would give the same bytes, so a deployment
// can move from local files to IPFS (or back) without renaming anything.
//   <dir>/tmp/<uuid>                  uploads in progress
//   <dir>/blobs/<last 2 of cid>/<cid> stored blobs (the CID's last characters spread evenly;
//                                     its first ones are the same multibase/codec prefix)
import { randomUUID } from 'node:crypto';
import { type FileHandle, mkdir, open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileExists, isErrno } from '../../files/file-exists.ts';
import {
  BlobNotFoundError,
  type BlobStore,
  BlobTooLargeError,
  type ByteRange,
  type StoredBlob,
} from './blob-store.ts';
import { canonicalBlobCid, unixfsCid } from './unixfs-cid.ts';

export function createLocalBlobStore(dir: string): BlobStore {
  const tmpDir = join(dir, 'tmp');
  const blobsDir = join(dir, 'blobs');
  const pathOf = (cid: string) => join(blobsDir, cid.slice(-2), cid);

  async function put(
    bytes: AsyncIterable<Uint8Array>,
    options: { maxBytes: number },
  ): Promise<StoredBlob> {
    await mkdir(tmpDir, { recursive: true });
    const tmpPath = join(tmpDir, randomUUID());
    const file = await open(tmpPath, 'wx');
    let size = 0;
    let closed = false;
    try {
      // One pass: each piece is written to the temp file before the hasher sees it.
      async function* writeAndCount(): AsyncGenerator<Uint8Array> {
        for await (const chunk of bytes) {
          size += chunk.byteLength;
          // Throwing inside for-await returns the source, so the upload stops being read.
          if (size > options.maxBytes) throw new BlobTooLargeError(options.maxBytes);
          await file.write(chunk);
          yield chunk;
        }
      }
      const cid = await unixfsCid(writeAndCount());
      // Flushed before the rename: after a crash a blob's file is complete or absent.
      await file.datasync();
      await file.close();
      closed = true;
      const finalPath = pathOf(cid);
      if (await fileExists(finalPath)) {
        await unlink(tmpPath);
      } else {
        await mkdir(join(blobsDir, cid.slice(-2)), { recursive: true });
        // Two concurrent puts of the same bytes both rename: same content, so either wins.
        await rename(tmpPath, finalPath);
      }
      return { cid, size };
    } catch (error) {
      if (!closed) await file.close().catch(() => {});
      await unlink(tmpPath).catch(() => {});
      throw error;
    }
  }

  async function* get(cid: string, range?: ByteRange): AsyncIterable<Uint8Array> {
    const canonical = canonicalBlobCid(cid);
    if (canonical === undefined) throw new BlobNotFoundError(cid);
    let file: FileHandle;
    try {
      file = await open(pathOf(canonical), 'r');
    } catch (error) {
      if (isErrno(error, 'ENOENT')) throw new BlobNotFoundError(cid);
      throw error;
    }
    try {
      if (range?.length === 0) return;
      const start = range?.offset ?? 0;
      // createReadStream's end is inclusive.
      const end = range?.length === undefined ? undefined : start + range.length - 1;
      // 1 MiB reads: 64 KiB ones make a large download mostly garbage-collector work.
      yield* file.createReadStream({ start, end, autoClose: false, highWaterMark: 1024 * 1024 });
    } finally {
      await file.close();
    }
  }

  async function has(cid: string): Promise<boolean> {
    const canonical = canonicalBlobCid(cid);
    return canonical !== undefined && (await fileExists(pathOf(canonical)));
  }

  async function remove(cid: string): Promise<void> {
    const canonical = canonicalBlobCid(cid);
    if (canonical === undefined) return;
    try {
      await unlink(pathOf(canonical));
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw error;
    }
  }

  return { kind: 'local', put, get, has, remove };
}
