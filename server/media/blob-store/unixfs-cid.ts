// The CID of a byte stream as a UnixFS file, exactly as
// `ipfs add --cid-version=1 --raw-leaves --chunker=size-262144` computes it, without storing any
// block. The local blob store names its files with it, so a blob moved between a local directory
// and Kubo keeps its CID.
// The importer is loaded on the first upload: it and its dependencies hold ~20 MB of an idle
// server's memory otherwise (bench workload 6).
import type { ImporterOptions, importByteStream } from 'ipfs-unixfs-importer';
import { CID } from 'multiformats/cid';

/**
 * The one description of how bytes become a DAG. Kubo's add options and the local importer are
 * both derived from it; a change here changes every CID, so stored blobs would need re-adding.
 * These are Kubo's defaults for CIDv1 (the `unixfs-v0-2015` layout with raw leaves), spelled out
 * so that a node configured otherwise (Import.* or a `unixfs-v1-2025` profile) still agrees.
 */
export const UNIXFS_IMPORT = {
  cidVersion: 1,
  rawLeaves: true,
  hash: 'sha2-256',
  chunkSize: 262_144,
  /** Links per interior node of the balanced DAG (Kubo's Import.UnixFSFileMaxLinks default). */
  maxLinksPerNode: 174,
} as const;

interface Importer {
  readonly importByteStream: typeof importByteStream;
  readonly options: ImporterOptions;
}

let importer: Promise<Importer> | undefined;

function loadImporter(): Promise<Importer> {
  importer ??= Promise.all([
    import('ipfs-unixfs-importer'),
    import('ipfs-unixfs-importer/chunker'),
    import('ipfs-unixfs-importer/layout'),
  ]).then(([{ importByteStream }, { fixedSize }, { balanced }]) => ({
    importByteStream,
    options: {
      cidVersion: UNIXFS_IMPORT.cidVersion,
      rawLeaves: UNIXFS_IMPORT.rawLeaves,
      // A file of one chunk is that raw block itself, as in Kubo.
      reduceSingleLeafToSelf: true,
      chunker: fixedSize({ chunkSize: UNIXFS_IMPORT.chunkSize }),
      layout: balanced({ maxChildrenPerNode: UNIXFS_IMPORT.maxLinksPerNode }),
      // Blocks hashed concurrently: bounds memory to about this many chunks.
      blockWriteConcurrency: 4,
    },
  }));
  return importer;
}

// Only the root CID is wanted: every block is hashed and dropped.
const discardingBlockstore = {
  put: (cid: CID) => cid,
};

/** CIDv1, base32, e.g. `bafkrei...` (one chunk) or `bafybei...` (several). */
export async function unixfsCid(
  bytes: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): Promise<string> {
  const { importByteStream, options } = await loadImporter();
  const result = await importByteStream(bytes, discardingBlockstore, options);
  return result.cid.toString();
}

/**
 * The canonical form of a blob CID (CIDv1, base32), or undefined if `text` is not one. Stores use
 * it before touching a path or an RPC argument: anything else cannot have been stored.
 */
export function canonicalBlobCid(text: string): string | undefined {
  try {
    const cid = CID.parse(text);
    return cid.version === 1 && cid.toString() === text ? text : undefined;
  } catch {
    return undefined;
  }
}
