// Plain-HTTP Matrix clients for fault tests: they behave like real clients when the server fails
// under them. A send that gets no answer, a network error or a 5xx is retried with the same txnId
// until it is answered (the spec's idempotency contract); /sync keeps its `since` token across
// failures and long-polls again. Every request and failure is counted so a test can print what
// the clients went through. (matrix-js-sdk does the same, but 50 of them cost more CPU than the
// server under test on a 2-core runner, and its retry timing is not ours to bound.)
import assert from 'node:assert/strict';
import { Agent, fetch } from 'undici';

const enc = encodeURIComponent;

export interface Answer {
  /** 0: no HTTP answer (connection refused or reset, or the request timed out). */
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever the server answered
  readonly body: any;
  readonly ms: number;
}

// One pool for every client: up to two requests each (a send and a long-poll) are in flight.
const dispatcher = new Agent({ connections: 256, keepAliveTimeout: 4_000 });

export async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; timeoutMs?: number } = {},
): Promise<Answer> {
  const started = performance.now();
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  try {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      dispatcher,
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text for the failure message
    }
    return { status: response.status, body, ms: performance.now() - started };
  } catch (error) {
    return { status: 0, body: String(error), ms: performance.now() - started };
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Account {
  readonly userId: string;
  readonly localpart: string;
  readonly token: string;
}

/** Registers with the dummy stage and no password (no scrypt: nothing here is about login). */
export async function register(baseUrl: string, localpart: string): Promise<Account> {
  const answer = await call(baseUrl, 'POST', '/_matrix/client/v3/register', {
    body: { username: localpart, auth: { type: 'm.login.dummy' } },
  });
  assert.equal(answer.status, 200, `register ${localpart}: ${JSON.stringify(answer.body)}`);
  return { userId: answer.body.user_id, localpart, token: answer.body.access_token };
}

export async function createPublicRoom(baseUrl: string, creator: Account): Promise<string> {
  const answer = await call(baseUrl, 'POST', '/_matrix/client/v3/createRoom', {
    token: creator.token,
    body: { preset: 'public_chat' },
  });
  assert.equal(answer.status, 200, `createRoom: ${JSON.stringify(answer.body)}`);
  return answer.body.room_id;
}

export async function joinRoom(
  baseUrl: string,
  user: Account,
  roomId: string,
  via?: string,
): Promise<void> {
  const query = via === undefined ? '' : `?server_name=${enc(via)}`;
  const answer = await call(baseUrl, 'POST', `/_matrix/client/v3/join/${enc(roomId)}${query}`, {
    token: user.token,
    body: {},
  });
  assert.equal(answer.status, 200, `join ${user.userId}: ${JSON.stringify(answer.body)}`);
}

/** The figures a test prints. */
export interface FaultCounters {
  sendsAcknowledged: number;
  /** Send requests waiting for an answer right now (a kill reads it to show sends in flight). */
  sendsInFlight: number;
  /** Send attempts that got no 200 (each retry counts). */
  sendFailures: number;
  /** Messages whose first attempt failed and a retry with the same txnId succeeded. */
  sendsRetried: number;
  syncsAnswered: number;
  syncFailures: number;
  /** Failed requests by answer: `0` (no answer), `500 M_UNKNOWN`, ... */
  failuresByAnswer: Map<string, number>;
  /** The slowest failed send, ms (a send hanging on a dead backend shows here; a failed long-poll
   * may rightly take its whole timeout). */
  slowestFailedSendMs: number;
}

export function newCounters(): FaultCounters {
  return {
    sendsAcknowledged: 0,
    sendsInFlight: 0,
    sendFailures: 0,
    sendsRetried: 0,
    syncsAnswered: 0,
    syncFailures: 0,
    failuresByAnswer: new Map(),
    slowestFailedSendMs: 0,
  };
}

function countFailure(counters: FaultCounters, answer: Answer): void {
  const key = answer.status === 0 ? '0 (no answer)' : `${answer.status} ${answer.body?.errcode}`;
  counters.failuresByAnswer.set(key, (counters.failuresByAnswer.get(key) ?? 0) + 1);
}

export interface Acknowledged {
  readonly seq: number;
  readonly txnId: string;
  readonly eventId: string;
  /** Attempts it took (1: the first one answered 200). */
  readonly attempts: number;
  /** When the 200 arrived (Date.now()). */
  readonly at: number;
}

export interface SendOptions {
  /** The server to send to, asked anew each attempt (a restarted server may have a new port). */
  readonly baseUrl: () => string;
  readonly roomId: string;
  /** First retry delay; doubles up to 1 s (a real client backs off too). */
  readonly retryMs?: number;
  /** Give up (throw) when a message has not been acknowledged for this long. */
  readonly giveUpMs?: number;
  /** Called after each acknowledged message, to pace or trigger faults. */
  readonly onAcknowledged?: (ack: Acknowledged) => void | Promise<void>;
  readonly counters: FaultCounters;
}

/** The body of message `seq` from `user`: unique in the room, and it names its sender's order. */
export const messageBody = (user: Account, seq: number) => `${user.localpart} #${seq}`;

/**
 * Sends messages `from`..`to - 1` one after another, each with txnId `m<seq>` and retried with the
 * same txnId until acknowledged. Returns what was acknowledged, in order.
 */
export async function sendMessages(
  user: Account,
  from: number,
  to: number,
  options: SendOptions,
): Promise<Acknowledged[]> {
  const acknowledged: Acknowledged[] = [];
  const giveUpMs = options.giveUpMs ?? 60_000;
  for (let seq = from; seq < to; seq++) {
    const txnId = `m${seq}`;
    const path = `/_matrix/client/v3/rooms/${enc(options.roomId)}/send/m.room.message/${txnId}`;
    const firstTry = Date.now();
    let delay = options.retryMs ?? 100;
    for (let attempt = 1; ; attempt++) {
      options.counters.sendsInFlight++;
      const answer = await call(options.baseUrl(), 'PUT', path, {
        token: user.token,
        body: { msgtype: 'm.text', body: messageBody(user, seq), seq },
        timeoutMs: 60_000,
      });
      options.counters.sendsInFlight--;
      if (answer.status === 200) {
        const ack = {
          seq,
          txnId,
          eventId: answer.body.event_id,
          attempts: attempt,
          at: Date.now(),
        };
        acknowledged.push(ack);
        options.counters.sendsAcknowledged++;
        if (attempt > 1) options.counters.sendsRetried++;
        await options.onAcknowledged?.(ack);
        break;
      }
      options.counters.sendFailures++;
      options.counters.slowestFailedSendMs = Math.max(
        options.counters.slowestFailedSendMs,
        answer.ms,
      );
      countFailure(options.counters, answer);
      // A 4xx other than a rate limit is a bug in the test or the server, not a fault to ride out.
      assert.ok(
        answer.status === 0 || answer.status >= 500 || answer.status === 429,
        `send ${txnId} as ${user.userId}: ${answer.status} ${JSON.stringify(answer.body)}`,
      );
      if (Date.now() - firstTry > giveUpMs) {
        throw new Error(`send ${txnId} as ${user.userId} unanswered for ${giveUpMs} ms`);
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 1_000);
    }
  }
  return acknowledged;
}

export interface TimelineEvent {
  readonly event_id: string;
  readonly type: string;
  readonly sender: string;
  readonly origin_server_ts: number;
  readonly content: Record<string, unknown>;
}

/** A client's view of one room through incremental /sync, token kept across failures. */
export interface SyncStream {
  /** Timeline events of the room in the order the syncs returned them. */
  readonly timeline: TimelineEvent[];
  /** Syncs whose timeline for the room came back `limited` (a gap the client must fill). */
  limitedCount: number;
  /** Resolves once `done()` held after a sync, or rejects when `stop()` came first. */
  readonly finished: Promise<void>;
  stop(): void;
}

export interface SyncOptions {
  readonly baseUrl: () => string;
  readonly roomId: string;
  /** The token to continue from: the client's `next_batch` from before the faults. */
  readonly since: string;
  /** Stop once this holds about the events seen so far. */
  readonly done: (timeline: readonly TimelineEvent[]) => boolean;
  readonly counters: FaultCounters;
  readonly longPollMs?: number;
}

// A timeline far larger than what arrives between two syncs here, so `limited` means a gap.
export const SYNC_FILTER = JSON.stringify({
  room: {
    timeline: { limit: 1000 },
    state: { lazy_load_members: true },
    ephemeral: { types: [] },
  },
  presence: { types: [] },
  account_data: { types: [] },
});

/** The client's position before anything is sent: an initial sync's `next_batch`. */
export async function initialSyncToken(baseUrl: string, user: Account): Promise<string> {
  const query = new URLSearchParams({ filter: SYNC_FILTER, timeout: '0' });
  const answer = await call(baseUrl, 'GET', `/_matrix/client/v3/sync?${query}`, {
    token: user.token,
  });
  assert.equal(answer.status, 200, `initial sync: ${JSON.stringify(answer.body)}`);
  return answer.body.next_batch;
}

export function followSync(user: Account, options: SyncOptions): SyncStream {
  let stopped = false;
  const stream: SyncStream = {
    timeline: [],
    limitedCount: 0,
    finished: Promise.resolve(),
    stop: () => {
      stopped = true;
    },
  };
  const longPollMs = options.longPollMs ?? 5_000;
  const loop = async () => {
    let since = options.since;
    while (!options.done(stream.timeline)) {
      if (stopped) throw new Error(`${user.userId}: sync stopped before it saw everything`);
      const query = new URLSearchParams({
        filter: SYNC_FILTER,
        since,
        timeout: String(longPollMs),
      });
      const answer = await call(options.baseUrl(), 'GET', `/_matrix/client/v3/sync?${query}`, {
        token: user.token,
        timeoutMs: longPollMs + 60_000,
      });
      if (answer.status !== 200) {
        options.counters.syncFailures++;
        countFailure(options.counters, answer);
        assert.ok(
          answer.status === 0 || answer.status >= 500,
          `sync as ${user.userId}: ${answer.status} ${JSON.stringify(answer.body)}`,
        );
        await sleep(200);
        continue;
      }
      options.counters.syncsAnswered++;
      const room = answer.body.rooms?.join?.[options.roomId];
      if (room?.timeline) {
        if (room.timeline.limited) stream.limitedCount++;
        stream.timeline.push(...(room.timeline.events as TimelineEvent[]));
      }
      since = answer.body.next_batch;
    }
  };
  (stream as { finished: Promise<void> }).finished = loop();
  return stream;
}

/** Every event of the room, oldest first, through /messages backwards from the end. */
export async function roomHistory(
  baseUrl: string,
  user: Account,
  roomId: string,
): Promise<TimelineEvent[]> {
  const events: TimelineEvent[] = [];
  let from: string | undefined;
  for (;;) {
    const query = new URLSearchParams({ dir: 'b', limit: '1000' });
    if (from !== undefined) query.set('from', from);
    const answer = await call(
      baseUrl,
      'GET',
      `/_matrix/client/v3/rooms/${enc(roomId)}/messages?${query}`,
      { token: user.token },
    );
    assert.equal(answer.status, 200, `/messages: ${JSON.stringify(answer.body)}`);
    events.push(...(answer.body.chunk as TimelineEvent[]));
    if (answer.body.end === undefined || answer.body.chunk.length === 0) break;
    from = answer.body.end;
  }
  return events.reverse();
}

/** The figures as one line per counter, to print. */
export function describeCounters(counters: FaultCounters): string[] {
  const answers = [...counters.failuresByAnswer].map(([key, n]) => `${key}: ${n}`).join(', ');
  return [
    `sends acknowledged: ${counters.sendsAcknowledged}, failed attempts: ${counters.sendFailures}, messages retried with the same txnId: ${counters.sendsRetried}`,
    `syncs answered: ${counters.syncsAnswered}, failed: ${counters.syncFailures}`,
    `failed answers: ${answers || 'none'}; slowest failed send ${Math.round(counters.slowestFailedSendMs)} ms`,
  ];
}
