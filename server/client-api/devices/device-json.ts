// A device as the client API shows it; absent values are left out, as the spec's schema wants.
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3devices
import type { Device } from '../../storage/devices.ts';

export function deviceJson(device: Device): Record<string, unknown> {
  return {
    device_id: device.deviceId,
    ...(device.displayName === null ? {} : { display_name: device.displayName }),
    ...(device.lastSeenIp === null ? {} : { last_seen_ip: device.lastSeenIp }),
    ...(device.lastSeenTs === null ? {} : { last_seen_ts: device.lastSeenTs }),
  };
}
