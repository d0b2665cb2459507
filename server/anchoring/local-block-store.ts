// IPLD blocks as files in a directory, named by CID, for deployments without a Kubo node. The
// CIDs are the ones Kubo gives (tested), so the blocks can be imported into IPFS later as they are.
//   <dir>/tmp/<uuid>                  blocks being written
//   <dir>/blocks/<last 2 of cid>/<cid> stored blocks (a CID's first characters are the same
//                                     multibase/codec prefix; its last ones spread evenly)
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { CID } from 'multiformats/cid';
import { fileExists, isErrno } from '../files/file-exists.ts';
import {
  BlockNotFoundError,
  checkStorable,
  type IpldBlockStore,
  verifyBlock,
} from './ipld-block-store.ts';

export function createLocalBlockStore(dir: string): IpldBlockStore {
  const tmpDir = join(dir, 'tmp');
  const blocksDir = join(dir, 'blocks');
  const pathOf = (name: string) => join(blocksDir, name.slice(-2), name);

  async function put(cid: CID, bytes: Uint8Array): Promise<void> {
    checkStorable(cid, bytes);
    const name = cid.toString();
    const finalPath = pathOf(name);
    if (await fileExists(finalPath)) return;
    await mkdir(tmpDir, { recursive: true });
    const tmpPath = join(tmpDir, randomUUID());
    const file = await open(tmpPath, 'wx');
    try {
      await file.writeFile(bytes);
      // Flushed before the rename: after a crash a block's file is complete or absent.
      await file.datasync();
    } catch (error) {
      await file.close().catch(() => {});
      await unlink(tmpPath).catch(() => {});
      throw error;
    }
    await file.close();
    await mkdir(join(blocksDir, name.slice(-2)), { recursive: true });
    // Two puts of one block both rename: same bytes, so either wins.
    await rename(tmpPath, finalPath);
  }

  async function get(cid: CID): Promise<Uint8Array> {
    // A CIDv0 is dag-pb, never stored here; its string form would not be a file name of ours.
    if (cid.version !== 1) throw new BlockNotFoundError(cid);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(pathOf(cid.toString()));
    } catch (error) {
      if (isErrno(error, 'ENOENT')) throw new BlockNotFoundError(cid);
      throw error;
    }
    // A file changed on disk is reported, not served: the verifier relies on what get returns.
    verifyBlock(cid, bytes);
    return bytes;
  }

  async function has(cid: CID): Promise<boolean> {
    return cid.version === 1 && (await fileExists(pathOf(cid.toString())));
  }

  return { kind: 'local', put, get, has };
}
