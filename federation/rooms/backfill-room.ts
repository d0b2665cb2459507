// History older than the oldest event this server has of a room (a room joined over federation
// starts at our join), fetched when a client paginates past it: GET /backfill from a server in
// the room, each event checked on receipt and against its own auth events, then put into the
// timeline below every position this server has handed out (negative stream positions, older
// events lower), so /sync never takes them for new events and /messages walks into them.
// https://spec.matrix.org/latest/server-server-api/#backfilling-and-retrieving-missing-events
// Their state is not fetched: each is given the state before our oldest timeline event, which
// history visibility then reads (the room as it was when we joined).
import type { Kysely } from 'kysely';
import { isCreateEvent, prevEventIds } from '../../server/core/dag/auth-events.ts';
import type { EventStream } from '../../server/rooms/event-stream.ts';
import type { KeyedMutex } from '../../server/rooms/keyed-mutex.ts';
import { getEvents, loadRoomVersion } from '../../server/storage/events.ts';
import { joinedServersOf } from '../../server/storage/room-servers.ts';
import type { Database } from '../../server/storage/schema.ts';
import type { ServerKeyStore } from '../keys/remote-keys.ts';
import type { FederationClient } from '../transport/federation-client.ts';
import { acceptOutliers } from './accept-outliers.ts';

export interface BackfillDeps {
  readonly db: Kysely<Database>;
  readonly serverName: string;
  readonly client: FederationClient;
  readonly serverKeys: Pick<ServerKeyStore, 'getVerifyKey'>;
  readonly eventStream: EventStream;
  readonly roomLocks: KeyedMutex;
  readonly logger: { info(details: object, message: string): void };
}

const MAX_LIMIT = 100;
/** Backfilled positions are handed out one transaction at a time, process-wide. */
const BACKFILL_LOCK = 'backfill';

export function roomBackfiller(
  deps: BackfillDeps,
): (roomId: string, limit: number) => Promise<number> {
  return (roomId, limit) => deps.roomLocks.run(roomId, () => backfill(deps, roomId, limit));
}

async function backfill(deps: BackfillDeps, roomId: string, limit: number): Promise<number> {
  const version = await loadRoomVersion(deps.db, roomId);
  if (!version) return 0;
  const oldest = await deps.db
    .selectFrom('events')
    .select(['event_id', 'json', 'state_before'])
    .where('room_id', '=', roomId)
    .where('outlier', '=', false)
    .where('rejected_reason', 'is', null)
    .orderBy('stream_ordering', 'asc')
    .limit(1)
    .executeTakeFirst();
  if (!oldest) return 0;
  const pdu = JSON.parse(oldest.json);
  if (isCreateEvent(pdu)) return 0;
  const prevs = prevEventIds(pdu);
  const known = await getEvents(deps.db, prevs);
  // Nothing older to have: every prev event is already in the timeline.
  if (prevs.every((id) => known.get(id)?.outlier === false)) return 0;

  const servers = (await joinedServersOf(deps.db, roomId)).filter(
    (name) => name !== deps.serverName,
  );
  for (const server of servers) {
    let raws: unknown[];
    try {
      const reply = await deps.client.request(server, {
        method: 'GET',
        path:
          `/_matrix/federation/v1/backfill/${encodeURIComponent(roomId)}?` +
          `${prevs.map((id) => `v=${encodeURIComponent(id)}`).join('&')}&limit=${Math.min(limit, MAX_LIMIT)}`,
      });
      const body = reply.body as { pdus?: unknown };
      raws = Array.isArray(body.pdus) ? body.pdus : [];
    } catch (err) {
      deps.logger.info({ err, server, roomId }, 'backfill request failed');
      continue;
    }
    const { accepted } = await acceptOutliers(deps, version, roomId, raws);
    return promote(deps, roomId, [...accepted.keys()], oldest.state_before);
  }
  return 0;
}

/** Outliers of the room become timeline events below position 0, the deepest first. */
async function promote(
  deps: BackfillDeps,
  roomId: string,
  eventIds: readonly string[],
  stateGroup: number | null,
): Promise<number> {
  if (eventIds.length === 0) return 0;
  return deps.roomLocks.run(BACKFILL_LOCK, () =>
    deps.db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('events')
        .select(['event_id', 'depth'])
        .where('room_id', '=', roomId)
        .where('event_id', 'in', [...eventIds])
        .where('outlier', '=', true)
        .where('rejected_reason', 'is', null)
        .orderBy('depth', 'desc')
        .orderBy('event_id', 'desc')
        .execute();
      const lowest = await trx
        .selectFrom('events')
        .select((eb) => eb.fn.min('stream_ordering').as('min'))
        .executeTakeFirst();
      let next = Math.min(Number(lowest?.min ?? 0), 0) - 1;
      for (const row of rows) {
        await trx
          .updateTable('events')
          .set({
            stream_ordering: next--,
            outlier: false,
            state_before: stateGroup,
            state_after: stateGroup,
          })
          .where('event_id', '=', row.event_id)
          .execute();
      }
      return rows.length;
    }),
  );
}
