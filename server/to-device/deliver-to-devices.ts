// Delivery of send-to-device messages, shared by the client endpoint
// (client-api/to-device/send-to-device.ts) and inbound federation (federation/edus/
// receive-to-device.ts): messages are split by the recipient's server; local ones go to each
// named device, or to every device of the user for `*`, and wake the recipients' /sync.
// https://spec.matrix.org/latest/client-server-api/#send-to-device-messaging
import type { Context } from '../context.ts';
import type { JsonObject } from '../core/pdu.ts';
import { listDevices } from '../storage/devices.ts';
import { serverNameOfUser } from '../storage/room-servers.ts';
import {
  type InboxDelivery,
  storeToDeviceMessages,
  type ToDeviceClaim,
} from '../storage/to-device.ts';

/** User id -> device id (or `*`) -> content, as both the client body and the EDU carry them. */
export type DeviceMessages = Readonly<Record<string, Readonly<Record<string, JsonObject>>>>;

/** The messages by the server of each recipient (pure). */
export function groupByServer(
  messages: DeviceMessages,
): Map<string, Record<string, Record<string, JsonObject>>> {
  const byServer = new Map<string, Record<string, Record<string, JsonObject>>>();
  for (const [userId, devices] of Object.entries(messages)) {
    const server = serverNameOfUser(userId);
    const group = byServer.get(server) ?? {};
    group[userId] = { ...devices };
    byServer.set(server, group);
  }
  return byServer;
}

/**
 * Stores the messages for local users' devices under the claim; devices that do not exist are
 * skipped (their messages could never be read). Returns false when the claim was taken before:
 * a retry, nothing stored. Recipients' /syncs are woken.
 */
export async function deliverLocally(
  ctx: Pick<Context, 'db' | 'now' | 'sync'>,
  claim: ToDeviceClaim,
  sender: string,
  type: string,
  messages: DeviceMessages,
): Promise<boolean> {
  const deliveries: InboxDelivery[] = [];
  for (const [userId, devices] of Object.entries(messages)) {
    const known = new Set((await listDevices(ctx.db, userId)).map((device) => device.deviceId));
    // A message to `*` goes to every device; one also named on its own is not sent twice.
    const everyone = devices['*'];
    for (const deviceId of known) {
      const content = devices[deviceId] ?? everyone;
      if (content) deliveries.push({ userId, deviceId, message: { type, sender, content } });
    }
  }
  if (!(await storeToDeviceMessages(ctx.db, claim, deliveries, ctx.now()))) return false;
  const userIds = [...new Set(deliveries.map((delivery) => delivery.userId))];
  if (userIds.length > 0) ctx.sync.notifier.notify({ userIds });
  return true;
}
