// The setup the e2ee conformance tests share: hs1 and hs2 (two Cairn processes), alice@hs1 and
// bob@hs2 as matrix-js-sdk clients with Rust crypto, in a room with megolm turned on that both
// clients know is encrypted. Clients stop before the servers when the test ends (a client syncing
// against a stopping server only logs errors); devices logged in later are stopped too.
import type { TestContext } from 'node:test';
import { startFederatedCairns } from './cairn-federation.ts';
import {
  type CryptoClient,
  enableEncryption,
  loginCryptoClient,
  registerCryptoClient,
  shareRoom,
  waitFor,
} from './crypto-clients.ts';

export interface EncryptedPair {
  readonly hs1Url: string;
  readonly hs2Url: string;
  readonly alice: CryptoClient;
  readonly bob: CryptoClient;
  readonly roomId: string;
  /** Logs the user in on a new device of the server at `baseUrl`, stopped with the rest. */
  newDevice(baseUrl: string, userId: string): Promise<CryptoClient>;
}

export async function startEncryptedPair(
  t: TestContext,
  databaseUrl: () => Promise<string | undefined>,
  waitMs: number,
): Promise<EncryptedPair> {
  const federation = await startFederatedCairns(['hs1.test', 'hs2.test'], databaseUrl);
  const [hs1, hs2] = federation.servers;
  const clients: CryptoClient[] = [];
  t.after(async () => {
    for (const c of clients) c.stop();
    await federation.stopAll();
  });
  const hs1Url = hs1!.process.clientUrl;
  const hs2Url = hs2!.process.clientUrl;
  const alice = await registerCryptoClient(hs1Url, 'alice');
  clients.push(alice);
  const bob = await registerCryptoClient(hs2Url, 'bob');
  clients.push(bob);
  const roomId = await shareRoom(alice, [bob], waitMs);
  await enableEncryption(alice, roomId, waitMs);
  // bob's crypto learns it from the state event that came over federation.
  await waitFor(() => bob.crypto.isEncryptionEnabledInRoom(roomId), 'encryption at hs2', waitMs);
  return {
    hs1Url,
    hs2Url,
    alice,
    bob,
    roomId,
    async newDevice(baseUrl, userId) {
      const c = await loginCryptoClient(baseUrl, userId);
      clients.push(c);
      return c;
    },
  };
}
