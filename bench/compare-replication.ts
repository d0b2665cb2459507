// Workload (5) of bench/compare.ts: federation replication throughput. SENDERS users of one server
// send MESSAGES messages in all into a room they share with a reader on another server, each
// sender waiting for its previous send's answer; the rate is messages over the time from the
// first send to the last message coming out of the reader's long-polling /sync.
import { performance } from 'node:perf_hooks';
import type { FederatedServer } from './compare-federation.ts';
import { createRoom, register, registerMany, send } from './compare-workloads.ts';
import { progress } from './federated-pair.ts';

const SENDERS = 20;
const MESSAGES = 2000;
/** More than arrive between two answers, mostly; a `limited` answer is filled in from /messages. */
const TIMELINE_LIMIT = 1000;
/** A replication that makes no progress for this long has failed. */
const STALL_MS = 120_000;

export interface ReplicationFigure {
  readonly from: string;
  readonly to: string;
  readonly senders: number;
  readonly messages: number;
  /** First send to the last send's answer. */
  readonly sentMs: number;
  /** First send to the last message seen in the reader's /sync. */
  readonly replicatedMs: number;
  readonly sentPerSecond: number;
  readonly replicatedPerSecond: number;
}

export const replicationSize = (scale: number) => ({
  replicationSenders: SENDERS,
  replicationMessages: Math.max(SENDERS, Math.round(MESSAGES * scale)),
});

export async function replicate(
  from: FederatedServer,
  to: FederatedServer,
  scale: number,
  log: (line: string) => void,
): Promise<ReplicationFigure> {
  const name = `${from.label} -> ${to.label}`;
  log(`(5) replication ${name}: setting up`);
  const senders = await registerMany(from.call, from.target, 'rsend', SENDERS, SENDERS);
  const reader = await register(to.call, to.target, 'rreader');
  const room = await createRoom(from.call, senders[0]!);
  const path = `/_matrix/client/v3/join/${encodeURIComponent(room)}`;
  await Promise.all(senders.slice(1).map((s) => from.call('POST', path, s.token, {})));
  await to.call(
    'POST',
    `${path}?server_name=${encodeURIComponent(from.serverName)}`,
    reader.token,
    {},
  );

  const watch = async (prefix: string, expected: number) => {
    let since = (
      await to.call(
        'GET',
        `/_matrix/client/v3/sync?filter=${filterParam({ timeline: { limit: 0 } })}`,
        reader.token,
      )
    ).next_batch as string;
    const seen = new Set<string>();
    const report = progress(`${name} arrived`, expected);
    const all = (async () => {
      let progressAt = performance.now();
      let last = '';
      while (seen.size < expected) {
        if (performance.now() - progressAt > STALL_MS) {
          throw new Error(
            `${to.label} saw ${seen.size}/${expected} "${prefix}" messages, stalled; last /sync: ${last.slice(0, 1000)}`,
          );
        }
        const answer = await to.call(
          'GET',
          `/_matrix/client/v3/sync?filter=${WATCH_FILTER}&timeout=30000&since=${encodeURIComponent(since)}`,
          reader.token,
        );
        since = answer.next_batch as string;
        last = JSON.stringify(answer);
        const timeline = (answer.rooms as { join?: Record<string, SyncRoom> } | undefined)?.join?.[
          room
        ]?.timeline;
        const before = seen.size;
        const events = [...(timeline?.events ?? [])];
        // A gap (Synapse leaves one when federated events arrive in a burst): the messages
        // before the timeline are fetched as a client would, back to one already seen.
        let from = timeline?.limited ? timeline.prev_batch : undefined;
        while (from !== undefined) {
          const page = await to.call(
            'GET',
            `/_matrix/client/v3/rooms/${encodeURIComponent(room)}/messages?dir=b&limit=100&from=${encodeURIComponent(from)}&filter=${MESSAGES_FILTER}`,
            reader.token,
          );
          const chunk = (page.chunk as SyncEvent[] | undefined) ?? [];
          events.push(...chunk);
          const reachedSeen = chunk.some((event) => seen.has(event.event_id));
          from = chunk.length === 0 || reachedSeen ? undefined : (page.end as string | undefined);
        }
        for (const event of events) {
          if (String(event.content?.body).startsWith(prefix)) seen.add(event.event_id);
        }
        if (seen.size > before) {
          progressAt = performance.now();
          report(seen.size);
        }
      }
      return performance.now();
    })();
    // Awaited later: a failure must not become an unhandled rejection meanwhile.
    all.catch(() => {});
    // Wrapped: an async function returning the promise itself would wait for it.
    return { all };
  };

  // One message per sender first: routes, queries, connections and the remote keys are warm.
  const warm = await watch('warm', SENDERS);
  await Promise.all(senders.map((s, i) => send(from.call, s, room, `warm ${i}`)));
  await warm.all;

  const { replicationMessages } = replicationSize(scale);
  const perSender = Math.ceil(replicationMessages / SENDERS);
  const total = perSender * SENDERS;
  log(`(5) replication ${name}: ${total} messages from ${SENDERS} senders`);
  const arrived = await watch('run', total);
  const start = performance.now();
  await Promise.all(
    senders.map(async (sender, i) => {
      for (let n = 0; n < perSender; n++) await send(from.call, sender, room, `run ${i}.${n}`);
    }),
  );
  const sentMs = performance.now() - start;
  const replicatedMs = (await arrived.all) - start;
  const figure: ReplicationFigure = {
    from: from.label,
    to: to.label,
    senders: SENDERS,
    messages: total,
    sentMs,
    replicatedMs,
    sentPerSecond: (total / sentMs) * 1000,
    replicatedPerSecond: (total / replicatedMs) * 1000,
  };
  log(
    `(5) ${name}: sent at ${figure.sentPerSecond.toFixed(0)} msg/s, ` +
      `arrived at ${figure.replicatedPerSecond.toFixed(0)} msg/s (last ${(replicatedMs - sentMs).toFixed(0)} ms after the last send)`,
  );
  return figure;
}

interface SyncEvent {
  event_id: string;
  content?: { body?: unknown };
}

interface SyncRoom {
  timeline?: { limited?: boolean; prev_batch?: string; events?: SyncEvent[] };
}

const filterParam = (room: object) =>
  encodeURIComponent(
    JSON.stringify({ room, presence: { types: [] }, account_data: { types: [] } }),
  );

const MESSAGES_FILTER = encodeURIComponent(JSON.stringify({ types: ['m.room.message'] }));

const WATCH_FILTER = filterParam({
  timeline: { limit: TIMELINE_LIMIT, types: ['m.room.message'] },
  state: { types: [] },
  ephemeral: { types: [] },
  account_data: { types: [] },
});
