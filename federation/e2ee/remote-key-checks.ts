// What another server sends about its users' keys is checked before it is cached or passed to
// clients (pure): device keys must be the named user's and device's, and their own signature, if
// they carry one, must verify; cross-signing keys must name their user. Anything else is dropped, not trusted.
import { isJsonObject, type JsonObject } from '../../server/core/pdu.ts';
import { deviceKeysProblem } from '../../server/e2ee/device-keys-check.ts';

/** The device keys if they are valid keys of that user's device, else undefined. */
export function validRemoteDeviceKeys(
  keys: unknown,
  userId: string,
  deviceId: string,
): JsonObject | undefined {
  if (!isJsonObject(keys)) return undefined;
  return deviceKeysProblem(keys, userId, deviceId) === undefined ? keys : undefined;
}

/** The keys with the device's display name, when its server shared one, in `unsigned`. */
export function withDisplayName(keys: JsonObject, displayName: unknown): JsonObject {
  if (typeof displayName !== 'string' || displayName === '') return keys;
  const unsigned = isJsonObject(keys.unsigned) ? keys.unsigned : {};
  return { ...keys, unsigned: { ...unsigned, device_display_name: displayName } };
}

/** The cross-signing key if it is an object naming that user, else undefined. */
export function validRemoteCrossSigningKey(key: unknown, userId: string): JsonObject | undefined {
  if (!isJsonObject(key) || key.user_id !== userId || !isJsonObject(key.keys)) return undefined;
  return key;
}
