// The EDUs of an inbound transaction (PUT /_matrix/federation/v1/send/{txnId}), each handed to
// the file for its type. An EDU that is malformed, of a type not handled, or about something the
// sending server may not speak for is left without a word to the sender: EDUs get no answer, and
// one bad EDU never fails the transaction (or becomes a 500).
// https://spec.matrix.org/latest/server-server-api/#edus
import type { Context } from '../../server/context.ts';
import { isJsonObject, type JsonObject } from '../../server/core/pdu.ts';
import { receiveDeviceListUpdate } from './receive-device-list-update.ts';
import { receivePresence } from './receive-presence.ts';
import { receiveReceipts } from './receive-receipt.ts';
import { receiveSigningKeyUpdate } from './receive-signing-key-update.ts';
import { receiveToDevice } from './receive-to-device.ts';
import { receiveTyping } from './receive-typing.ts';

type EduHandler = (ctx: Context, origin: string, content: JsonObject) => Promise<void>;

const HANDLERS = new Map<string, EduHandler>([
  ['m.typing', receiveTyping],
  ['m.receipt', receiveReceipts],
  ['m.presence', receivePresence],
  ['m.direct_to_device', receiveToDevice],
  ['m.device_list_update', receiveDeviceListUpdate],
  ['m.signing_key_update', receiveSigningKeyUpdate],
]);

export async function receiveEdus(
  ctx: Context,
  origin: string,
  edus: readonly unknown[],
): Promise<void> {
  for (const edu of edus) {
    if (!isJsonObject(edu) || typeof edu.edu_type !== 'string' || !isJsonObject(edu.content)) {
      continue;
    }
    const handler = HANDLERS.get(edu.edu_type);
    if (!handler) {
      ctx.logger.debug({ origin, eduType: edu.edu_type }, 'EDU type not handled');
      continue;
    }
    try {
      await handler(ctx, origin, edu.content);
    } catch (err) {
      ctx.logger.warn({ err, origin, eduType: edu.edu_type }, 'EDU could not be taken');
    }
  }
}
