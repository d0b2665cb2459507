import type { Generated } from 'kysely';

// Send-to-device messaging (migration to-device).

/** One message waiting for a device; deleted once the device's /sync acknowledges it. */
export interface DeviceInboxTable {
  /** Stream order; a device's /sync token carries the highest one it was given. */
  stream_id: Generated<number>;
  user_id: string;
  device_id: string;
  /** The to-device event ({type, sender, content}) as JSON text. */
  message: string;
  created_ts: number;
}

/** A txnId of PUT /sendToDevice already taken by a sending device. */
export interface ToDeviceTxnIdsTable {
  user_id: string;
  device_id: string;
  txn_id: string;
  created_ts: number;
}

/** The message_id of an inbound m.direct_to_device EDU already taken from its origin. */
export interface ToDeviceRemoteIdsTable {
  origin: string;
  message_id: string;
  received_ts: number;
}
