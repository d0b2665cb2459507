// Room events as a /sync response carries them: served like every read path (redactions applied,
// aggregations bundled: serve-events.ts), without `room_id` (the room is the key they sit under),
// with `unsigned.transaction_id` on the requesting device's own events, and cut down to the
// filter's `event_fields`. `event_format: federation` gives the PDUs as stored.
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3sync
import type { Kysely } from 'kysely';
import type { JsonObject } from '../core/pdu.ts';
import type { RoomReader } from '../rooms/room-reader.ts';
import { serveEvents } from '../rooms/serve-events.ts';
import type { StoredEvent } from '../storage/events.ts';
import type { Database } from '../storage/schema.ts';
import { onlyEventFields } from './event-fields.ts';

export interface SyncFormat {
  readonly now: number;
  /** Event id -> client transaction id, for events the requesting device sent. */
  readonly transactionIds: ReadonlyMap<string, string>;
  readonly eventFields: readonly string[] | undefined;
  readonly federation: boolean;
}

export async function formatSyncEvents(
  db: Kysely<Database>,
  reader: RoomReader,
  events: readonly StoredEvent[],
  format: SyncFormat,
): Promise<JsonObject[]> {
  const served = format.federation
    ? events.map((event) => ({ ...event.pdu, event_id: event.eventId }) as JsonObject)
    : await serveEvents(db, reader, events, { now: format.now });
  return served.map((json, i) => {
    const { room_id: _roomId, ...event } = json;
    const txnId = format.transactionIds.get(events[i]!.eventId);
    if (txnId !== undefined) {
      event.unsigned = { ...(event.unsigned as JsonObject | undefined), transaction_id: txnId };
    }
    return format.eventFields ? onlyEventFields(event, format.eventFields) : event;
  });
}
