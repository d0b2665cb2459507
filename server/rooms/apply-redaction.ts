// Persist step: when the event is a redaction, mark the event it redacts, in the transaction that
// stores the redaction. The original JSON is kept (hashes, signatures and federation need it);
// readers apply the room version's redaction algorithm when `redacted_by` is set
// (serve-events.ts). A redacted child also loses its relation, as the spec asks.
// https://spec.matrix.org/latest/rooms/v11/#handling-redactions
import type { Kysely } from 'kysely';
import { mayApplyRedaction, redactedEventId } from '../core/auth-rules/redaction-rules.ts';
import type { EventWithId } from '../core/pdu.ts';
import { type ReadonlyStateMap, stateKey } from '../core/state-map.ts';
import { getEvent, getEvents, loadRoomVersion } from '../storage/events.ts';
import type { Database } from '../storage/schema.ts';

export async function applyRedaction(
  trx: Kysely<Database>,
  roomId: string,
  event: EventWithId,
  stateBefore: ReadonlyStateMap,
): Promise<void> {
  if (event.pdu.type !== 'm.room.redaction') return;
  const version = await loadRoomVersion(trx, roomId);
  const targetId = version && redactedEventId(version, event.pdu);
  if (!version || targetId === undefined) return;
  const target = await getEvent(trx, targetId);
  // A redaction of an unknown event, or of one in another room, changes nothing here. (An
  // original that arrives after its redaction over federation is not matched up yet.)
  if (!target || target.roomId !== roomId || target.redactedBy !== null) return;

  const createId = stateBefore.get(stateKey('m.room.create', ''));
  const powerId = stateBefore.get(stateKey('m.room.power_levels', ''));
  const authEvents = await getEvents(
    trx,
    [createId, powerId].filter((id) => id !== undefined),
  );
  const create = createId === undefined ? undefined : authEvents.get(createId)?.pdu;
  const power = powerId === undefined ? undefined : authEvents.get(powerId)?.pdu;
  if (!mayApplyRedaction(version, event.pdu, target.pdu, create, power)) return;

  await trx
    .updateTable('events')
    .set({ redacted_by: event.eventId })
    .where('event_id', '=', targetId)
    .where('redacted_by', 'is', null)
    .execute();
  await trx.deleteFrom('event_relations').where('event_id', '=', targetId).execute();
}
