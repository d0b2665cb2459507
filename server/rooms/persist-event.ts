// Persists one accepted event in ONE transaction: the event row, the state after it (as a delta
// group), current state, forward extremities and the client's transaction id. A crash at any
// point leaves either all of it or none. The event's stream position comes from the EventStream,
// so readers know which positions may still be in flight.
import { type Kysely, sql } from 'kysely';
import { encodeCanonicalJson } from '../core/canonical-json.ts';
import type { EventWithId } from '../core/pdu.ts';
import { type ReadonlyStateMap, stateKey } from '../core/state-map.ts';
import type { StoredEvent, TxnKey } from '../storage/events.ts';
import type { Database } from '../storage/schema.ts';
import { writeStateDelta, writeStateGroup } from '../storage/state-groups.ts';
import { applyRedaction } from './apply-redaction.ts';
import type { EventStream } from './event-stream.ts';
import { recordPushActions } from './record-push-actions.ts';
import { recordRelation } from './record-relation.ts';
import { replaceCurrentState } from './replace-current-state.ts';
import type { RoomDeps } from './room-deps.ts';

export interface EventToPersist {
  readonly roomId: string;
  readonly event: EventWithId;
  /**
   * The state before the event, and its group if one is stored (none before a create event).
   * `partial`: `state` holds only the keys the event's checks read (its auth events, the create
   * and power levels events, and for a state event its own key), and `group` is the whole state;
   * the state after is then written as a delta without the rest being read.
   */
  readonly stateBefore: {
    readonly group: number | null;
    readonly state: ReadonlyStateMap;
    readonly partial?: boolean;
  };
  /** Set for a create event: the room row to insert with it. */
  readonly newRoom?: { readonly version: string; readonly creator: string; readonly now: number };
  readonly txn?: TxnKey & { readonly now: number };
  /**
   * Events received over federation that failed a check (federation/rooms/receive-pdu.ts):
   * rejected ones are kept (so they are not fetched again and what cites them is judged right)
   * but never change state; a soft-failed one joins the DAG with its state but stays out of the
   * timeline, current state and forward extremities. Neither reaches clients.
   */
  readonly rejectedReason?: RejectedReason;
  /**
   * The room's state once this event is in, when it is not simply the state after the event: an
   * event on one fork of several gets the resolution of all forward extremities' states.
   */
  readonly currentStateAfter?: ReadonlyStateMap;
  /** The event is stored as an outlier (from an auth chain or a state answer): it becomes a
   * timeline event now, at a new stream position. */
  readonly replacesOutlier?: boolean;
  /** A join into a room through another server: the join becomes the only forward extremity
   * (earlier ones, an invite say, are history from before we were in the room). */
  readonly replacesExtremities?: boolean;
}

export type RejectedReason = 'auth_events' | 'state_before' | 'soft_failed';

export interface PersistResult {
  readonly stored: StoredEvent;
  /** With a partial state before, `state` is as partial (plus the event's own key). */
  readonly stateAfter: { readonly group: number; readonly state: ReadonlyStateMap };
}

/** Where an event is persisted: the database, and the stream positions readers rely on. */
export interface PersistTarget {
  readonly db: Kysely<Database>;
  readonly eventStream: EventStream;
}

/** persistEvent, then the event announced on the room hub (sync, federation sender, ...). */
export async function persistAndAnnounce(
  deps: RoomDeps,
  input: EventToPersist,
): Promise<PersistResult> {
  const result = await persistEvent(deps, input);
  deps.hub.announce({ roomId: input.roomId, event: result.stored }, (err) =>
    deps.logger.error({ err }, 'event listener failed'),
  );
  return result;
}

export async function persistEvent(
  target: PersistTarget,
  input: EventToPersist,
): Promise<PersistResult> {
  // The event's stream position is released whatever becomes of the transaction; until then
  // /sync readers stop below it (event-stream.ts).
  let position: number | undefined;
  const persisted = target.db.transaction().execute(async (trx) => {
    const { roomId, event } = input;
    const { pdu } = event;
    if (input.replacesOutlier) {
      await trx
        .deleteFrom('events')
        .where('event_id', '=', event.eventId)
        .where('outlier', '=', true)
        .execute();
    }
    if (input.newRoom) {
      await trx
        .insertInto('rooms')
        .values({
          room_id: roomId,
          room_version: input.newRoom.version,
          creator: input.newRoom.creator,
          created_ts: input.newRoom.now,
        })
        .execute();
    }

    const before = input.stateBefore;
    let beforeGroup = before.group;
    if (beforeGroup === null && before.state.size > 0) {
      if (before.partial) throw new Error(`event ${event.eventId}: partial state with no group`);
      beforeGroup = await writeStateGroup(trx, roomId, before.state);
    }
    let afterState = before.state;
    let afterGroup = beforeGroup;
    const isState = typeof pdu.state_key === 'string';
    const rejected = input.rejectedReason;
    // A rejected event changes no state: what cites it sees the state before it.
    if (isState && rejected !== 'auth_events' && rejected !== 'state_before') {
      const key = stateKey(pdu.type, pdu.state_key as string);
      const next = new Map(before.state);
      next.set(key, event.eventId);
      afterState = next;
      afterGroup =
        beforeGroup === null
          ? await writeStateGroup(trx, roomId, next)
          : await writeStateDelta(trx, roomId, beforeGroup, [[key, event.eventId]]);
    }
    if (afterGroup === null) {
      // Only a non-state event with no state before it: not a valid room, refused earlier.
      throw new Error(`event ${event.eventId} has no state to persist against`);
    }

    // Taken just before the event row rather than at the start: while this transaction holds a
    // position, every later one is held back from readers.
    position = await target.eventStream.allocate(trx);
    const row = await trx
      .insertInto('events')
      .values({
        stream_ordering: position,
        event_id: event.eventId,
        room_id: roomId,
        type: pdu.type,
        state_key: isState ? (pdu.state_key as string) : null,
        sender: pdu.sender,
        origin_server_ts: pdu.origin_server_ts,
        depth: pdu.depth,
        json: encodeCanonicalJson(pdu),
        state_before: beforeGroup,
        state_after: afterGroup,
        rejected_reason: rejected ?? null,
        redacted_by: null,
        // Known here for free; readers serve them (see the event-read-facts migration).
        replaces_state: isState
          ? (before.state.get(stateKey(pdu.type, pdu.state_key as string)) ?? null)
          : null,
        contains_url: typeof pdu.content?.url === 'string',
      })
      .returning('stream_ordering')
      .executeTakeFirstOrThrow();
    const stored = {
      ...event,
      roomId,
      streamOrdering: row.stream_ordering,
      rejectedReason: rejected ?? null,
      redactedBy: null,
      outlier: false,
    };
    const stateAfter = { group: afterGroup, state: afterState };
    if (rejected) return { stored, stateAfter };

    // Messages (issue 4): index the event's relation, and if it is a redaction mark the event it
    // redacts, atomically with the event itself.
    await recordRelation(trx, roomId, event, row.stream_ordering);
    await applyRedaction(trx, roomId, event, before.state);

    if (input.currentStateAfter) {
      await replaceCurrentState(trx, roomId, input.currentStateAfter, row.stream_ordering);
    } else if (isState) {
      const membership =
        pdu.type === 'm.room.member' && typeof pdu.content.membership === 'string'
          ? pdu.content.membership
          : null;
      await trx
        .insertInto('current_state')
        .values({
          room_id: roomId,
          type: pdu.type,
          state_key: pdu.state_key as string,
          event_id: event.eventId,
          membership,
          stream_ordering: row.stream_ordering,
        })
        .onConflict((oc) =>
          oc.columns(['room_id', 'type', 'state_key']).doUpdateSet({
            event_id: event.eventId,
            membership,
            stream_ordering: row.stream_ordering,
          }),
        )
        .execute();
    }
    // After current state: the members it notifies are those joined once the event is in.
    await recordPushActions(trx, roomId, event, row.stream_ordering, before.state);

    // The event replaces what it cites as forward extremity, and the client's transaction id is
    // kept: one statement (the last three writes of every send, taken under the room's lock).
    const prevEvents = pdu.prev_events.filter((id): id is string => typeof id === 'string');
    const { txn } = input;
    const withGone = trx.with('gone', (db) => {
      const all = db.deleteFrom('room_forward_extremities').where('room_id', '=', roomId);
      if (input.replacesExtremities) return all;
      // An event citing nothing (none is valid but the create event) replaces nothing.
      return prevEvents.length > 0
        ? all.where('event_id', 'in', prevEvents)
        : all.where(sql<boolean>`false`);
    });
    // (Typed as without the txn expression: nothing reads from it.)
    const withTxn = (
      txn
        ? withGone.with('txn', (db) =>
            db.insertInto('event_txn_ids').values({
              user_id: txn.userId,
              device_id: txn.deviceId,
              scope: txn.scope,
              txn_id: txn.txnId,
              event_id: event.eventId,
              created_ts: txn.now,
            }),
          )
        : withGone
    ) as typeof withGone;
    await withTxn
      .insertInto('room_forward_extremities')
      .values({ room_id: roomId, event_id: event.eventId })
      .execute();

    return { stored, stateAfter };
  });
  try {
    return await persisted;
  } finally {
    if (position !== undefined) target.eventStream.finish(position);
  }
}
