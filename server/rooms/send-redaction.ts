// A local user's redaction: who may redact what is checked here, as the client API describes it
// (a user's own events, anyone's at the room's `redact` level); the auth rules then check the
// m.room.redaction event like any other (its events level), and persisting it marks the target
// (apply-redaction.ts).
// https://spec.matrix.org/latest/client-server-api/#put_matrixclientv3roomsroomidredacteventidtxnid
import { getNamedLevel, getUserPowerLevel } from '../core/auth-rules/power-levels.ts';
import type { EventWithId, JsonObject } from '../core/pdu.ts';
import { stateKey } from '../core/state-map.ts';
import { forbidden } from '../http/matrix-error.ts';
import {
  CREATE_AND_POWER,
  getCurrentStateEntries,
  getEvents,
  loadRoomVersion,
} from '../storage/events.ts';
import type { RoomDeps } from './room-deps.ts';
import { type SendOptions, sendLocalEvent } from './send-local-event.ts';

export interface RedactionRequest {
  readonly sender: string;
  /** The event redacted; its sender is unknown when this server does not have it. */
  readonly target: { readonly roomId: string; readonly eventId: string; readonly sender?: string };
  readonly reason: string | undefined;
  readonly txn: SendOptions['txn'];
}

export async function sendRedaction(
  deps: RoomDeps,
  request: RedactionRequest,
): Promise<EventWithId> {
  const { sender, target } = request;
  const roomId = target.roomId;
  const version = await loadRoomVersion(deps.db, roomId);
  if (!version) throw forbidden(`Unknown room ${roomId}`);
  // An event we do not have may be anyone's: redacting it takes the `redact` level, as another
  // user's event does (Synapse likewise; the redaction applies if the event arrives later).
  if (target.sender !== sender) {
    const state = await getCurrentStateEntries(deps.db, roomId, CREATE_AND_POWER);
    const createId = state.get(stateKey('m.room.create', ''));
    const powerId = state.get(stateKey('m.room.power_levels', ''));
    const events = await getEvents(
      deps.db,
      [createId, powerId].filter((id) => id !== undefined),
    );
    const create = createId === undefined ? undefined : events.get(createId)?.pdu;
    const power = powerId === undefined ? undefined : events.get(powerId)?.pdu;
    const level = getUserPowerLevel(version, create, power, sender);
    if (level < getNamedLevel(version, power, 'redact')) {
      throw forbidden("Your power level is too low to redact other users' events");
    }
  }
  const content: JsonObject = {
    ...(request.reason === undefined ? {} : { reason: request.reason }),
    ...(version.redactsInContent ? { redacts: target.eventId } : {}),
  };
  return sendLocalEvent(
    deps,
    roomId,
    { type: 'm.room.redaction', sender, content, redacts: target.eventId },
    request.txn ? { txn: request.txn } : {},
  );
}
