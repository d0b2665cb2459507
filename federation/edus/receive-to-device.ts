// Inbound m.direct_to_device: send-to-device messages from a user of the sending server to our
// users' devices (`*`: all of a user's devices). A server speaks for its own users only, and
// delivers only to ours; the message_id makes a resent EDU a no-op.
// https://spec.matrix.org/latest/server-server-api/#send-to-device-messaging
import type { Context } from '../../server/context.ts';
import { isJsonObject, type JsonObject } from '../../server/core/pdu.ts';
import { serverNameOfUser } from '../../server/storage/room-servers.ts';
import { type DeviceMessages, deliverLocally } from '../../server/to-device/deliver-to-devices.ts';
import { isUserOf } from './edu-sender.ts';

export async function receiveToDevice(
  ctx: Pick<Context, 'db' | 'now' | 'sync' | 'config'>,
  origin: string,
  content: JsonObject,
): Promise<void> {
  const { sender, type, message_id: messageId, messages } = content;
  if (typeof type !== 'string' || typeof messageId !== 'string' || messageId === '') return;
  if (!isUserOf(sender, origin) || !isJsonObject(messages)) return;
  const local: Record<string, Record<string, JsonObject>> = {};
  for (const [userId, devices] of Object.entries(messages)) {
    if (!userId.startsWith('@') || serverNameOfUser(userId) !== ctx.config.serverName) continue;
    if (!isJsonObject(devices)) continue;
    const wanted: Record<string, JsonObject> = {};
    for (const [deviceId, message] of Object.entries(devices)) {
      if (isJsonObject(message)) wanted[deviceId] = message;
    }
    local[userId] = wanted;
  }
  const claim = { kind: 'remote', origin, messageId } as const;
  await deliverLocally(ctx, claim, sender, type, local satisfies DeviceMessages);
}
