// Stores events known only as parts of a room's history we did not receive in order: the state
// and auth chain a send_join or state answer brings, auth events fetched to check a new event.
// An outlier has no state of its own here and is never in the timeline; it is there so the auth
// rules and state resolution can read it. One transaction for the batch; events already stored
// are left as they are.
import { encodeCanonicalJson } from '../core/canonical-json.ts';
import type { EventWithId } from '../core/pdu.ts';
import type { PersistTarget, RejectedReason } from './persist-event.ts';

export interface OutlierToPersist {
  readonly event: EventWithId;
  /** Failed the checks against its own auth events: kept, but it never enters any state. */
  readonly rejectedReason?: RejectedReason;
}

export async function persistOutliers(
  target: PersistTarget,
  roomId: string,
  outliers: readonly OutlierToPersist[],
): Promise<void> {
  if (outliers.length === 0) return;
  const positions: number[] = [];
  try {
    await target.db.transaction().execute(async (trx) => {
      const ids = outliers.map((each) => each.event.eventId);
      const known = new Set(
        (
          await trx.selectFrom('events').select('event_id').where('event_id', 'in', ids).execute()
        ).map((row) => row.event_id),
      );
      for (const { event, rejectedReason } of outliers) {
        if (known.has(event.eventId)) continue;
        known.add(event.eventId);
        const { pdu } = event;
        const position = await target.eventStream.allocate(trx);
        positions.push(position);
        await trx
          .insertInto('events')
          .values({
            stream_ordering: position,
            event_id: event.eventId,
            room_id: roomId,
            type: pdu.type,
            state_key: typeof pdu.state_key === 'string' ? pdu.state_key : null,
            sender: pdu.sender,
            origin_server_ts: pdu.origin_server_ts,
            depth: pdu.depth,
            json: encodeCanonicalJson(pdu),
            state_before: null,
            state_after: null,
            outlier: true,
            rejected_reason: rejectedReason ?? null,
            redacted_by: null,
            replaces_state: null,
            contains_url: typeof pdu.content?.url === 'string',
          })
          .execute();
      }
    });
  } finally {
    for (const position of positions) target.eventStream.finish(position);
  }
}
