// Checks that a store is consistent, run before and after fuzzing: whatever the fuzzer got the
// server to accept or refuse, every row must still point at what it names, and every stored event
// must still be the event its id says it is.
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { computeEventId } from '../../server/core/event-id.ts';
import type { Pdu } from '../../server/core/pdu.ts';
import { getRoomVersion } from '../../server/core/room-versions.ts';
import { getCurrentState } from '../../server/storage/events.ts';
import type { Database } from '../../server/storage/schema.ts';

export interface StoreSummary {
  readonly rooms: number;
  readonly events: number;
  /** Every broken invariant found, one line each; empty for a consistent store. */
  readonly problems: string[];
}

export async function checkStore(db: Kysely<Database>): Promise<StoreSummary> {
  const problems: string[] = [];
  const rooms = await db.selectFrom('rooms').select(['room_id', 'room_version']).execute();
  const versions = new Map(rooms.map((room) => [room.room_id, room.room_version]));
  const events = await db
    .selectFrom('events')
    .select([
      'event_id',
      'room_id',
      'type',
      'state_key',
      'sender',
      'json',
      'outlier',
      'rejected_reason',
      'state_before',
      'state_after',
    ])
    .execute();
  const byId = new Map(events.map((event) => [event.event_id, event]));
  const groups = new Map(
    (
      await db.selectFrom('state_groups').select(['state_group', 'room_id', 'prev_group']).execute()
    ).map((group) => [group.state_group, group]),
  );

  for (const event of events) {
    const where = `event ${event.event_id}`;
    let pdu: Pdu;
    try {
      pdu = JSON.parse(event.json) as Pdu;
    } catch {
      problems.push(`${where}: json does not parse`);
      continue;
    }
    if (pdu.room_id !== event.room_id || pdu.type !== event.type || pdu.sender !== event.sender) {
      problems.push(`${where}: indexed columns differ from its json`);
    }
    if ((pdu.state_key ?? null) !== event.state_key) {
      problems.push(`${where}: state_key column differs from its json`);
    }
    const versionId = versions.get(event.room_id);
    const version = versionId === undefined ? undefined : getRoomVersion(versionId);
    if (versionId !== undefined && version === undefined) {
      problems.push(`${where}: room version ${versionId} unknown`);
    }
    if (version !== undefined) {
      try {
        const computed = computeEventId(version, pdu);
        if (computed !== event.event_id) problems.push(`${where}: json hashes to ${computed}`);
      } catch (error) {
        problems.push(`${where}: no event id computable: ${(error as Error).message}`);
      }
    }
    for (const column of ['state_before', 'state_after'] as const) {
      const group = event[column];
      if (group === null) continue;
      const found = groups.get(group);
      if (!found) problems.push(`${where}: ${column} ${group} does not exist`);
      else if (found.room_id !== event.room_id)
        problems.push(`${where}: ${column} of another room`);
    }
  }

  for (const group of groups.values()) {
    if (group.prev_group !== null && !groups.has(group.prev_group)) {
      problems.push(`state group ${group.state_group}: prev_group ${group.prev_group} missing`);
    }
  }
  const entries = await db
    .selectFrom('state_group_entries')
    .select(['state_group', 'type', 'state_key', 'event_id'])
    .execute();
  for (const entry of entries) {
    if (!groups.has(entry.state_group)) {
      problems.push(`state entry of missing group ${entry.state_group}`);
    }
    if (entry.event_id === null) continue;
    const event = byId.get(entry.event_id);
    if (!event) problems.push(`state group ${entry.state_group}: event ${entry.event_id} missing`);
    else if (event.type !== entry.type || event.state_key !== entry.state_key) {
      problems.push(`state group ${entry.state_group}: ${entry.event_id} is not at its key`);
    }
  }

  const current = await db.selectFrom('current_state').selectAll().execute();
  const hasCreate = new Set<string>();
  for (const row of current) {
    const where = `current state of ${row.room_id} (${row.type}, ${row.state_key})`;
    const event = byId.get(row.event_id);
    if (!event) {
      problems.push(`${where}: event ${row.event_id} missing`);
      continue;
    }
    if (
      event.room_id !== row.room_id ||
      event.type !== row.type ||
      event.state_key !== row.state_key
    ) {
      problems.push(`${where}: ${row.event_id} is another room's or key's event`);
    }
    if (event.rejected_reason !== null) problems.push(`${where}: ${row.event_id} was rejected`);
    if (row.type === 'm.room.member') {
      const membership = (JSON.parse(event.json) as Pdu).content?.membership ?? null;
      if (membership !== row.membership) {
        problems.push(`${where}: membership ${row.membership}, event says ${membership}`);
      }
    }
    if (row.type === 'm.room.create' && row.state_key === '') hasCreate.add(row.room_id);
  }

  const extremities = await db.selectFrom('room_forward_extremities').selectAll().execute();
  const withExtremities = new Set<string>();
  for (const row of extremities) {
    withExtremities.add(row.room_id);
    const event = byId.get(row.event_id);
    const where = `forward extremity ${row.event_id} of ${row.room_id}`;
    if (!event) problems.push(`${where}: event missing`);
    else if (event.room_id !== row.room_id) problems.push(`${where}: event of another room`);
    else if (event.outlier) problems.push(`${where}: an outlier`);
    else if (event.rejected_reason !== null) problems.push(`${where}: rejected`);
  }
  // A room known only by an invite or by outliers has no timeline of its own yet.
  const withTimeline = new Set(
    events.filter((event) => !event.outlier).map((event) => event.room_id),
  );
  for (const room of rooms) {
    if (!withTimeline.has(room.room_id)) continue;
    if (!withExtremities.has(room.room_id)) problems.push(`room ${room.room_id}: no extremities`);
    if (!hasCreate.has(room.room_id)) problems.push(`room ${room.room_id}: no create in state`);
  }

  const devices = new Set(
    (await db.selectFrom('devices').select(['user_id', 'device_id']).execute()).map(
      (device) => `${device.user_id} ${device.device_id}`,
    ),
  );
  for (const token of await db
    .selectFrom('access_tokens')
    .select(['user_id', 'device_id'])
    .execute()) {
    if (!devices.has(`${token.user_id} ${token.device_id}`)) {
      problems.push(`access token of ${token.user_id} for missing device ${token.device_id}`);
    }
  }
  return { rooms: rooms.length, events: events.length, problems };
}

/** Client API requests as one user, straight to the app. */
export function clientCaller(app: FastifyInstance): Call {
  return async (method, url, token, body) => {
    const response = await app.inject({
      method: method as 'GET',
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { payload: body as object }),
    });
    return { status: response.statusCode, body: response.json() as unknown };
  };
}

/** A room's current state as sorted (key, event id) pairs, to compare before and after. */
export async function roomStateOf(
  db: Kysely<Database>,
  roomId: string,
): Promise<[string, string][]> {
  return [...(await getCurrentState(db, roomId))].sort();
}

type Call = (
  method: string,
  url: string,
  token: string,
  body?: unknown,
) => Promise<{ status: number; body: unknown }>;

export interface ObserverView {
  /** The rooms the observer is joined to, sorted. */
  readonly joined: string[];
  readonly nextBatch: string;
}

/** What a user outside the fuzzing sees: their joined rooms from an initial /sync. */
export async function observe(call: Call, token: string): Promise<ObserverView> {
  const sync = await call('GET', '/_matrix/client/v3/sync', token);
  if (sync.status !== 200)
    throw new Error(`observer sync: ${sync.status} ${JSON.stringify(sync.body)}`);
  const body = sync.body as { next_batch: string; rooms?: { join?: Record<string, unknown> } };
  return { joined: Object.keys(body.rooms?.join ?? {}).sort(), nextBatch: body.next_batch };
}

/**
 * The observer can still talk: a message sent to `roomId` comes back from /messages and from an
 * incremental /sync since `since`. Returns a problem or undefined.
 */
export async function stillWorks(
  call: Call,
  token: string,
  roomId: string,
  since: string,
): Promise<string | undefined> {
  const room = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}`;
  const text = `still here ${since}`;
  const sent = await call('PUT', `${room}/send/m.room.message/after-fuzz`, token, {
    msgtype: 'm.text',
    body: text,
  });
  if (sent.status !== 200) return `send after fuzzing: ${sent.status} ${JSON.stringify(sent.body)}`;
  const eventId = (sent.body as { event_id: string }).event_id;
  const messages = await call('GET', `${room}/messages?dir=b&limit=5`, token);
  const chunk = (messages.body as { chunk?: { event_id: string }[] }).chunk ?? [];
  if (!chunk.some((event) => event.event_id === eventId)) {
    return `/messages after fuzzing lacks ${eventId}: ${messages.status}`;
  }
  const sync = await call(
    'GET',
    `/_matrix/client/v3/sync?since=${encodeURIComponent(since)}`,
    token,
  );
  const timeline =
    (
      sync.body as {
        rooms?: { join?: Record<string, { timeline?: { events?: { event_id: string }[] } }> };
      }
    ).rooms?.join?.[roomId]?.timeline?.events ?? [];
  if (!timeline.some((event) => event.event_id === eventId)) {
    return `incremental /sync after fuzzing lacks ${eventId}: ${sync.status}`;
  }
  return undefined;
}
