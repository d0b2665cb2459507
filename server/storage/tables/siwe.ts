// Sign-In with Ethereum (migration siwe).

/** A nonce issued for an EIP-4361 message, deleted when a sign-in uses it. */
export interface SiweNoncesTable {
  nonce: string;
  created_ts: number;
  /** Milliseconds since the Unix epoch; from then on the nonce is refused. */
  expires_ts: number;
}

/** A wallet linked to a local account. */
export interface EthereumWalletsTable {
  /** Lower-case hex with 0x: one spelling per address, whatever checksum case a message used. */
  address: string;
  user_id: string;
  linked_ts: number;
}
