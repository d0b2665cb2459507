// The outbound side of federation every part of the server may use: the signed client and the
// store of other servers' keys. Built once at start (server/start.ts) and kept on the context.
import type { ServerKeyStore } from './keys/remote-keys.ts';
import type { FederationClient } from './transport/federation-client.ts';

export interface FederationServices {
  /** Requests to other servers, signed with X-Matrix (federation/transport/). */
  readonly client: FederationClient;
  /** Other servers' signing keys: cached, fetched, checked (keys/remote-keys.ts). */
  readonly serverKeys: ServerKeyStore;
}

/** For contexts with no network (unit tests): every request fails as unreachable. */
export const unreachableFederationClient: FederationClient = {
  request: (destination) => Promise.reject(new Error(`${destination}: no federation client`)),
};
