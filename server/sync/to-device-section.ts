// `to_device` of a /sync response: the syncing device's send-to-device messages, oldest first,
// at most TO_DEVICE_LIMIT per response. Its stream key in the token is `d`: the highest inbox
// stream id the device was given.
//
// Acknowledgement: a message stays in the inbox until the device syncs with a since token whose
// `d` is at or beyond it, which shows the client got the response that carried it; then it is
// deleted. A client that repeats an older since token (its response was lost) is given the same
// messages again. An initial sync acknowledges nothing and returns what is waiting.
// https://spec.matrix.org/latest/client-server-api/#extensions-to-sync
import type { Kysely } from 'kysely';
import type { JsonObject } from '../core/pdu.ts';
import type { Database } from '../storage/schema.ts';
import { deleteInboxUpTo, readInbox } from '../storage/to-device.ts';

export const TO_DEVICE_STREAM = 'd';
export const TO_DEVICE_LIMIT = 100;

export interface ToDeviceSection {
  readonly events: JsonObject[];
  /** The position the response covers: its last message, or the token's when none. */
  readonly position: number;
}

export async function loadToDeviceSection(
  db: Kysely<Database>,
  userId: string,
  deviceId: string,
  since: number | undefined,
): Promise<ToDeviceSection> {
  const after = since ?? 0;
  if (after > 0) await deleteInboxUpTo(db, userId, deviceId, after);
  const messages = await readInbox(db, userId, deviceId, after, TO_DEVICE_LIMIT);
  return {
    events: messages.map(({ message }) => ({
      type: message.type,
      sender: message.sender,
      content: message.content,
    })),
    position: messages.at(-1)?.streamId ?? after,
  };
}
