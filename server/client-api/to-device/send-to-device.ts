// PUT /_matrix/client/v3/sendToDevice/{eventType}/{txnId}
// https://spec.matrix.org/latest/client-server-api/#put_matrixclientv3sendtodeviceeventtypetxnid
//
// Local recipients get the messages in their devices' inboxes (read by /sync); each other server
// gets one m.direct_to_device EDU with its users' messages, persisted in the federation queue.
// The txnId is taken per sending device: a retried request delivers nothing again.
// https://spec.matrix.org/latest/server-server-api/#send-to-device-messaging
import { randomBytes } from 'node:crypto';
import { type SendToDeviceBody, sendToDeviceBody } from '../../../schemas/requests/to-device.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { deliverLocally, groupByServer } from '../../to-device/deliver-to-devices.ts';

export const sendToDevice = defineEndpoint<
  Context,
  SendToDeviceBody,
  unknown,
  { eventType: string; txnId: string }
>({
  method: 'PUT',
  path: '/_matrix/client/v3/sendToDevice/:eventType/:txnId',
  schema: { body: sendToDeviceBody },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const { eventType, txnId } = request.params;
    const byServer = groupByServer(request.body.messages);
    const local = byServer.get(ctx.config.serverName) ?? {};
    byServer.delete(ctx.config.serverName);
    const claim = { kind: 'txn', userId: user.userId, deviceId: user.deviceId, txnId } as const;
    if (!(await deliverLocally(ctx, claim, user.userId, eventType, local))) return {};
    for (const [destination, messages] of byServer) {
      const content = {
        sender: user.userId,
        type: eventType,
        // Unique per EDU, at most 32 characters (the spec's limit): 22 here.
        message_id: randomBytes(16).toString('base64url'),
        messages,
      };
      await ctx.federation.outbound.queueEdu(
        destination,
        { edu_type: 'm.direct_to_device', content },
        { persist: true },
      );
    }
    return {};
  },
});
