// Other servers' signing keys, as fetched from them (GET /_matrix/key/v2/server) or from a notary
// (federation/keys/remote-keys.ts). One row per server and key id.
export interface ServerKeysTable {
  server_name: string;
  /** `ed25519:<version>` */
  key_id: string;
  /** Unpadded base64 of the 32-byte public key. */
  public_key: string;
  /**
   * Until when the key may be used: for a current key the lesser of the published
   * valid_until_ts and 7 days after the fetch (the spec's cap); for an old key its expired_ts.
   */
  valid_until_ts: number;
  /** Set when the key was listed in old_verify_keys: valid for events before this time only. */
  expired_ts: number | null;
  fetched_ts: number;
  /** The server that answered: the key's own server, or the notary asked in its place. */
  from_server: string;
  /**
   * The key server response the key came in, with only its own server's signatures, as JSON
   * text: the notary endpoints serve it again with our signature added.
   */
  response_json: string;
}
