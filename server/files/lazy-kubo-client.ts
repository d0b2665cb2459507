// kubo-rpc-client, loaded on first use: the module and its dependencies hold ~50 MB of a server's
// memory (measured: +52 MiB RSS, +9 MiB heap on import), which a server without `ipfs_api`
// (the default: local blob and block stores) never needs.
import type { KuboRPCClient } from 'kubo-rpc-client';

export function lazyKuboClient(apiUrl: string): () => Promise<KuboRPCClient> {
  let client: Promise<KuboRPCClient> | undefined;
  return () => {
    client ??= import('kubo-rpc-client').then(({ create }) => create({ url: apiUrl }));
    return client;
  };
}
