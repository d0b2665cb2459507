// A device is a login session of a user; end-to-end keys and access tokens hang off it.
export interface DevicesTable {
  user_id: string;
  device_id: string;
  display_name: string | null;
  /** Milliseconds since the Unix epoch. */
  created_ts: number;
  last_seen_ts: number | null;
  last_seen_ip: string | null;
}
