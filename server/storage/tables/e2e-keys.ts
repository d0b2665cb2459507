import type { Generated } from 'kysely';

// End-to-end encryption keys (migration e2ee-keys).

/** A device's signed device keys, as uploaded (local) or fetched from its server (cached). */
export interface E2eDeviceKeysTable {
  user_id: string;
  device_id: string;
  key_json: string;
}

/** An unclaimed one-time key; `key_id` is the part after `algorithm:`. */
export interface E2eOneTimeKeysTable {
  /** Upload order: keys are handed out oldest first. */
  seq: Generated<number>;
  user_id: string;
  device_id: string;
  algorithm: string;
  key_id: string;
  /** The key object (or, for old algorithms, the bare key string) as JSON text. */
  key_json: string;
}

/** A device's fallback key for one algorithm. */
export interface E2eFallbackKeysTable {
  user_id: string;
  device_id: string;
  algorithm: string;
  key_id: string;
  key_json: string;
  used: Generated<boolean>;
}

/** `master`, `self_signing` or `user_signing` key of a user. */
export interface E2eCrossSigningKeysTable {
  user_id: string;
  key_type: string;
  key_json: string;
}

/** A signature from keys/signatures/upload: signer's key over the target's key. */
export interface E2eSignaturesTable {
  target_user_id: string;
  /** A device id, or the unpadded base64 public key of a cross-signing key. */
  target_key_id: string;
  signer_user_id: string;
  /** `ed25519:<device id or public key>` */
  signer_key_id: string;
  signature: string;
}

/** The device list stream: one row per change of a user's devices or cross-signing keys. */
export interface DeviceListChangesTable {
  stream_id: Generated<number>;
  user_id: string;
  /** The local device that changed; null for cross-signing keys and remote users. */
  device_id: string | null;
  created_ts: number;
}

/** A remote user whose device list is cached here. */
export interface RemoteDeviceListsTable {
  user_id: string;
  /** The last stream_id the user's server sent, as JSON text (a number in practice). */
  stream_id: string;
  /** A gap was seen (or the cache was never filled): refetch with user/devices before use. */
  stale: boolean;
  updated_ts: number;
}
