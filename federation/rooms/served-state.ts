// The state of a room at an event as /state and /state_ids serve it: the state before the event
// (the spec: "prior to considering any state changes induced by the requested event"; Synapse's
// `get_state_ids_for_pdu` likewise takes the event itself back out), with the auth chain of those
// state events. An event this server has no state for is 404: unknown, of another room, an
// outlier, or rejected (its place in the room was refused, as Synapse refuses to serve it).
// https://spec.matrix.org/latest/server-server-api/#get_matrixfederationv1stateroomid
import type { Kysely } from 'kysely';
import { isCreateEvent } from '../../server/core/dag/auth-events.ts';
import type { RoomVersion } from '../../server/core/room-versions.ts';
import { notFound } from '../../server/http/matrix-error.ts';
import { loadAuthChain } from '../../server/storage/auth-chain.ts';
import { getEvent, getEvents, type StoredEvent } from '../../server/storage/events.ts';
import { getEventStateGroups } from '../../server/storage/room-timeline.ts';
import type { Database } from '../../server/storage/schema.ts';
import { readStateGroup } from '../../server/storage/state-groups.ts';

export interface ServedState {
  readonly state: StoredEvent[];
  readonly authChain: StoredEvent[];
}

export async function stateBeforeEventWithAuthChain(
  db: Kysely<Database>,
  version: RoomVersion,
  roomId: string,
  eventId: string,
): Promise<ServedState> {
  const event = await getEvent(db, eventId);
  if (!event || event.roomId !== roomId || event.outlier || event.rejectedReason !== null) {
    throw notFound(`Could not find event ${eventId} in room ${roomId}`);
  }
  const before = (await getEventStateGroups(db, [eventId])).get(eventId)?.before ?? null;
  if (before === null) {
    // Nothing precedes the create event; any other event without state is unknown here.
    if (isCreateEvent(event.pdu)) return { state: [], authChain: [] };
    throw notFound(`No state known at event ${eventId}`);
  }
  const stateIds = [...(await readStateGroup(db, before)).values()];
  const found = await getEvents(db, stateIds);
  const state = [...found.values()].sort((a, b) => a.streamOrdering - b.streamOrdering);
  const authChain = await loadAuthChain(db, version, roomId, state);
  return { state, authChain };
}
