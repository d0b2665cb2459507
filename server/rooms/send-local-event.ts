// A local user's event, from template to persisted: place it on the room's forward extremities,
// pick its auth events from current state, sign it, authorize it with the room engine (the same
// rules federation uses), persist it in one transaction, then announce it.

import type { Kysely } from 'kysely';
import { checkEventAuth } from '../core/auth-rules/check-event-auth.ts';
import { checkEventFormat, MAX_PDU_BYTES } from '../core/auth-rules/check-event-format.ts';
import { authEventPairs } from '../core/auth-rules/select-auth-events.ts';
import { lookupFromEvents } from '../core/auth-rules/state-lookup.ts';
import {
  CanonicalJsonError,
  canonicalJsonBytes,
  encodeCanonicalJson,
} from '../core/canonical-json.ts';
import type { EventWithId, JsonObject } from '../core/pdu.ts';
import { type StateMap, stateKey } from '../core/state-map.ts';
import { forbidden, MatrixError } from '../http/matrix-error.ts';
import {
  CREATE_AND_POWER,
  getCurrentState,
  getCurrentStateWithEvents,
  getEvent,
  getEventIdForTxn,
  getEvents,
  getForwardExtremities,
  loadRoomVersion,
  type StoredEvent,
  type TxnKey,
} from '../storage/events.ts';
import type { Database } from '../storage/schema.ts';
import { authRefusal } from './auth-refusal.ts';
import { buildLocalEvent, type LocalEventTemplate } from './build-local-event.ts';
import { persistAndAnnounce } from './persist-event.ts';
import type { RoomDeps } from './room-deps.ts';

/** prev_events of a local event: the most recent extremities, within the spec's limit of 20. */
const MAX_PREV_EVENTS = 10;

export interface SendOptions {
  /** The client's transaction: a retry of it gets the event it already made. */
  readonly txn?: Omit<TxnKey, 'userId'>;
  /**
   * For a state event from PUT /state: when the sender already set that very content at that
   * (type, state_key), answer with the current event instead of repeating it, as Synapse does
   * (clients and sytest expect setting the same state twice to be idempotent).
   */
  readonly reuseIdenticalState?: boolean;
}

export function sendLocalEvent(
  deps: RoomDeps,
  roomId: string,
  template: LocalEventTemplate,
  options: SendOptions = {},
): Promise<EventWithId> {
  return deps.roomLocks.run(roomId, async () => {
    const txn = options.txn && { userId: template.sender, ...options.txn, now: deps.now() };
    const version = await loadRoomVersion(deps.db, roomId);
    if (!version) throw forbidden(`Unknown room ${roomId}`);
    // Whatever its content, the auth rules refuse a create event with prev_events: the request
    // is malformed for everyone, not a matter of the sender's power.
    if (template.type === 'm.room.create') {
      throw new MatrixError(400, 'M_BAD_JSON', 'A room has one m.room.create event, made with it');
    }
    const pairs = authEventPairs(version, { ...template, stateKey: template.stateKey });
    const own =
      template.stateKey === undefined ? [] : [[template.type, template.stateKey] as const];
    const keys = [...pairs, ...CREATE_AND_POWER, ...own];

    // Nothing else writes the room while its lock is held, so these reads are independent and go
    // out together: one round trip of waiting under the lock instead of three.
    const [earlier, allExtremities, keyed] = await Promise.all([
      txn ? getEventIdForTxn(deps.db, txn) : undefined,
      getForwardExtremities(deps.db, roomId),
      getCurrentStateWithEvents(deps.db, roomId, keys),
    ]);
    if (earlier) {
      const event = await getEvent(deps.db, earlier);
      if (event) return event;
    }
    const extremities = allExtremities.slice(0, MAX_PREV_EVENTS);
    if (extremities.length === 0) throw new Error(`room ${roomId} has no forward extremities`);
    // With one extremity the state before this event is that event's state group, and the keys
    // read are all the checks need (the state after a state event is written as a delta on the
    // group, persist-event.ts); with several, current state (a resolution of them) is written as
    // a new group, so all of it is read. Reading the whole state for every event made each one
    // in a room of thousands of members read tens of thousands of rows.
    const group = extremities.length === 1 ? extremities[0]!.stateAfter : null;
    const { state, events: known } =
      group === null ? await wholeState(deps.db, roomId, keys) : keyed;
    const authIds = pairs
      .map(([type, key]) => state.get(stateKey(type, key)))
      .filter((id): id is string => id !== undefined);
    const createId = state.get(stateKey('m.room.create', ''));
    const lookup = lookupFromEvents(
      [...authIds, createId]
        .map((id) => (id === undefined ? undefined : known.get(id)))
        .filter((each): each is StoredEvent => each !== undefined),
    );

    const event = buildLocalEvent(
      version,
      template,
      {
        roomId,
        prevEvents: extremities.map((x) => x.eventId),
        authEvents: authIds,
        depth: Math.max(...extremities.map((x) => x.depth)) + 1,
        originServerTs: deps.now(),
      },
      deps.signer,
    );

    const size = canonicalJsonBytes(event.pdu).length;
    if (size > MAX_PDU_BYTES) {
      throw new MatrixError(
        413,
        'M_TOO_LARGE',
        `Event is ${size} bytes; the limit is ${MAX_PDU_BYTES}`,
      );
    }
    const format = checkEventFormat(version, event);
    if (!format.allowed) throw new MatrixError(400, 'M_BAD_JSON', format.reason);
    const verdict = checkEventAuth(version, event, lookup);
    if (!verdict.allowed) throw authRefusal(verdict);
    // Only once the sender may send it: repeating state is no way round a refusal.
    if (options.reuseIdenticalState && template.stateKey !== undefined) {
      const currentId = state.get(stateKey(template.type, template.stateKey));
      const current =
        currentId === undefined
          ? undefined
          : (known.get(currentId) ?? (await getEvent(deps.db, currentId)));
      if (current && isSameState(current, template)) return current;
    }

    const signed = isRemoteInvite(deps.serverName, template)
      ? await deps.exchangeInvite!(version, event)
      : event;

    const { stored } = await persistAndAnnounce(deps, {
      roomId,
      event: signed,
      // After one extremity only the keys the checks read are at hand, the group holds the rest.
      stateBefore: { group, state, partial: group !== null },
      ...(txn ? { txn } : {}),
    });
    return stored;
  });
}

/** Current state with the events at `keys`. */
async function wholeState(
  db: Kysely<Database>,
  roomId: string,
  keys: readonly (readonly [string, string])[],
): Promise<{ state: StateMap; events: Map<string, StoredEvent> }> {
  const state = await getCurrentState(db, roomId);
  const ids = keys
    .map(([type, key]) => state.get(stateKey(type, key)))
    .filter((id): id is string => id !== undefined);
  return { state, events: await getEvents(db, ids) };
}

/** An invite of another server's user, which that server must countersign first. */
function isRemoteInvite(serverName: string, template: LocalEventTemplate): boolean {
  const target = template.stateKey;
  return (
    template.type === 'm.room.member' &&
    template.content.membership === 'invite' &&
    target !== undefined &&
    target.slice(target.indexOf(':') + 1) !== serverName
  );
}

function isSameState(current: EventWithId, template: LocalEventTemplate): boolean {
  if (current.pdu.sender !== template.sender) return false;
  try {
    return (
      encodeCanonicalJson(current.pdu.content as JsonObject) ===
      encodeCanonicalJson(template.content)
    );
  } catch (err) {
    // Content canonical JSON cannot encode (a float, say) is refused when the event is built.
    if (err instanceof CanonicalJsonError) return false;
    throw err;
  }
}
