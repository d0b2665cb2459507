// What federation endpoints get: the process context plus the federation services built with
// the federation app (server/app.ts buildFederationApp).
import type { Context } from '../server/context.ts';
import type { ServerKeyStore } from './keys/remote-keys.ts';

export interface FederationContext extends Context {
  /** Other servers' signing keys: cached, fetched, checked (keys/remote-keys.ts). */
  readonly serverKeys: ServerKeyStore;
}
