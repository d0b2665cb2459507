// What federation endpoints get: the process context plus the federation services built with
// the federation app (server/app.ts buildFederationApp).
import type { Context } from '../server/context.ts';
import type { ServerKeyStore } from './keys/remote-keys.ts';
import type { TransactionCache } from './rooms/transaction-cache.ts';

export interface FederationContext extends Context {
  /** Other servers' signing keys: cached, fetched, checked (keys/remote-keys.ts). */
  readonly serverKeys: ServerKeyStore;
  /** Answers to transactions already received, by origin and txnId. */
  readonly transactions: TransactionCache<Record<string, { error?: string }>>;
  /** Takes the EDUs of a transaction (typing, receipts, presence, ...) from `origin`. */
  readonly receiveEdus: (origin: string, edus: readonly unknown[]) => Promise<void>;
}
