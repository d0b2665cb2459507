// The media repository's services for the context: the blob store the configuration names, the
// waiters for asynchronous uploads, and the remote fetches in flight.
import { join } from 'node:path';
import type { Config } from '../config/load-config.ts';
import type { MediaRow } from '../storage/media.ts';
import type { BlobStore } from './blob-store/blob-store.ts';
import { createKuboBlobStore } from './blob-store/kubo-blob-store.ts';
import { createLocalBlobStore } from './blob-store/local-blob-store.ts';
import { UploadWaiters } from './upload-waiters.ts';

export interface MediaServices {
  readonly blobs: BlobStore;
  readonly uploads: UploadWaiters;
  /** Remote media being fetched, by `origin/mediaId`: concurrent downloads share one fetch. */
  readonly remoteFetches: Map<string, Promise<MediaRow>>;
}

export function createMediaServices(config: Pick<Config, 'ipfsApi' | 'dataDir'>): MediaServices {
  return {
    blobs:
      config.ipfsApi !== undefined
        ? createKuboBlobStore(config.ipfsApi)
        : createLocalBlobStore(join(config.dataDir, 'media')),
    uploads: new UploadWaiters(),
    remoteFetches: new Map(),
  };
}

/** The key of an mxc:// URI in waiters and in-flight maps. */
export function mediaKey(origin: string, mediaId: string): string {
  return `${origin}/${mediaId}`;
}
