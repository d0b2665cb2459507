// Thousands of long-polling /sync requests on one `cairn start` process: 100 users in one room,
// each with 20 connections waiting, 2,000 at once (100 each, 10,000, under test:soak). One
// message to the room must wake all of them, before their timeout (so they were woken, not
// answered empty and polled again), and a separate user's ordinary requests must be answered
// throughout, and promptly while the waiters wait (a waiting long-poll holds nothing another
// request needs). Prints the time for the requests to settle, the time until the last one got the
// message, the server's RSS at each step, and the bystander's latencies.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { Agent, request } from 'undici';
import { newDataDir, startCairn, testEnv } from '../support/cairn-process.ts';
import { PROCESS_BACKENDS } from '../support/js-sdk-clients.ts';
import { soakScale } from '../support/soak.ts';
import {
  type CallReply,
  enc,
  type ProcessUser,
  percentile,
  processClient,
  rssMiB,
  syncedBodies,
} from './process-client.ts';

const USERS = 100;
const PER_USER = soakScale(20, 100);
const WAITERS = USERS * PER_USER;
// Long enough that every waiter is still waiting when the message comes: on a loaded 2-core
// machine 2,000 first syncs took 15-45 s to settle, 10,000 over 2 minutes.
const SYNC_TIMEOUT_MS = soakScale(60_000, 180_000);
/** All woken by then (2,000 took 5-12 s): under the sync timeout, so none was answered by it. */
const WAKE_BOUND_MS = soakScale(40_000, 120_000);
/** How long the bystander is timed with every waiter waiting and nothing else going on. */
const QUIET_MS = 3_000;
/**
 * The bystander's p99 while the waiters wait. A waiting long-poll that held something ordinary
 * requests need (a database connection) would hold them up by up to the sync timeout.
 */
const QUIET_P99_MS = 2_000;
/**
 * While the waiters arrive and wake, the bystander's requests queue behind their cost (one took
 * 23 s behind 2,000 first syncs on a loaded machine), so only its median is bounded there, and
 * every request must be answered before the long-polls' timeout.
 */
const BYSTANDER_MEDIAN_MS = 1_000;
/** Give up waiting for the server to go quiet after this long, and send the message. */
const SETTLE_CAP_MS = (SYNC_TIMEOUT_MS * 3) / 4;

const backend = PROCESS_BACKENDS.findLast((each) => !each.skip)!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** CPU seconds the process has used (utime + stime from /proc/<pid>/stat). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

describe(`long-poll capacity (${backend.name})`, {
  timeout: soakScale(240_000, 900_000),
}, () => {
  test(`${WAITERS} waiting /sync requests wake on one message; others are still served`, async (t) => {
    const t0 = performance.now();
    const progress = (what: string) =>
      console.log(`  [${((performance.now() - t0) / 1000).toFixed(1)} s] ${what}`);
    const url = await backend.databaseUrl();
    const server = await startCairn(
      testEnv(newDataDir(), {
        CAIRN_ENABLE_REGISTRATION: 'true',
        ...(url ? { CAIRN_DATABASE_URL: url } : {}),
      }),
    );
    t.after(() => server.stop());
    const pid = server.child.pid!;
    const setup = processClient(server.clientUrl, 16);
    t.after(() => setup.close());

    const users: ProcessUser[] = [];
    for (let i = 0; i < USERS; i += 10) {
      users.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(10, USERS - i) }, (_, j) => setup.register(`u${i + j}`)),
        )),
      );
    }
    const bystander = await setup.register('bystander');
    const room = await setup.call('POST', '/_matrix/client/v3/createRoom', {
      token: users[0]!.accessToken,
      body: { preset: 'public_chat' },
    });
    const roomId = room.body.room_id as string;
    for (const user of users.slice(1)) {
      const joined = await setup.call('POST', `/_matrix/client/v3/join/${enc(roomId)}`, {
        token: user.accessToken,
        body: {},
      });
      assert.equal(joined.status, 200);
    }
    const ownRoom = await setup.call('POST', '/_matrix/client/v3/createRoom', {
      token: bystander.accessToken,
      body: {},
    });
    const bystanderRoom = ownRoom.body.room_id as string;
    const filter = enc(JSON.stringify({ room: { timeline: { limit: 10 } } }));
    const since = new Map<string, string>();
    for (const user of users) {
      const first = await setup.call('GET', `/_matrix/client/v3/sync?filter=${filter}`, {
        token: user.accessToken,
      });
      since.set(user.userId, first.body.next_batch as string);
    }
    const rssIdle = await rssMiB(pid);
    progress(`${USERS} users in the room, initial syncs done`);

    // The bystander: a whoami, a send and a sync without waiting, together, timed, again and
    // again. Each is placed in time (when it started) to tell what it overlapped.
    const bystanderMs: { at: number; ms: number }[] = [];
    const bystanderErrors: string[] = [];
    let watching = true;
    const bystanderClient = processClient(server.clientUrl, 4);
    t.after(() => bystanderClient.close());
    const watch = (async () => {
      let bystanderSince = '';
      for (let n = 0; watching; n++) {
        const token = bystander.accessToken;
        const at = performance.now();
        const calls = [
          bystanderClient.call('GET', '/_matrix/client/v3/account/whoami', { token }),
          bystanderClient.call(
            'PUT',
            `/_matrix/client/v3/rooms/${enc(bystanderRoom)}/send/m.room.message/b${n}`,
            { token, body: { msgtype: 'm.text', body: `b${n}` } },
          ),
          bystanderClient.call(
            'GET',
            `/_matrix/client/v3/sync?timeout=0${bystanderSince ? `&since=${enc(bystanderSince)}` : ''}`,
            { token },
          ),
        ];
        for (const call of calls) {
          const reply = await call.catch(
            (error): CallReply => ({
              status: 0,
              body: { error: String(error) },
              ms: performance.now() - at,
            }),
          );
          bystanderMs.push({ at, ms: reply.ms });
          if (reply.status !== 200)
            bystanderErrors.push(`${reply.status} ${JSON.stringify(reply.body)}`);
          if (typeof reply.body.next_batch === 'string') bystanderSince = reply.body.next_batch;
        }
        await sleep(100);
      }
    })();

    // The waiters: separate connections (one request each), the same since token per user.
    const agent = new Agent({
      connections: WAITERS + 100,
      pipelining: 1,
      headersTimeout: SYNC_TIMEOUT_MS + 30_000,
      bodyTimeout: SYNC_TIMEOUT_MS + 30_000,
    });
    t.after(() => agent.close());
    const body = 'wake up';
    let sentAt = 0;
    const firedAt = performance.now();
    // Each waiter syncs as a client does: from the token it has, again from next_batch when an
    // answer brings something else (room-mates' presence, say), until it has the message.
    let rounds = 0;
    const waiters = users.flatMap((user) =>
      Array.from({ length: PER_USER }, async () => {
        let from = since.get(user.userId)!;
        try {
          for (;;) {
            const response = await request(
              `${server.clientUrl}/_matrix/client/v3/sync?filter=${filter}&timeout=${SYNC_TIMEOUT_MS}&since=${enc(from)}`,
              { dispatcher: agent, headers: { authorization: `Bearer ${user.accessToken}` } },
            );
            const reply = (await response.body.json()) as Record<string, unknown>;
            rounds++;
            if (response.statusCode !== 200 || syncedBodies(reply, roomId).includes(body)) {
              return { status: response.statusCode, at: performance.now(), error: '' };
            }
            from = reply.next_batch as string;
          }
        } catch (error) {
          // No answer (a timeout, a reset): counted, so the figures still print.
          return { status: 0, at: performance.now(), error: String(error) };
        }
      }),
    );

    // Settled: the server has taken them all in when its CPU goes quiet.
    let cpu = await cpuSeconds(pid);
    for (let quiet = 0; quiet < 3 && performance.now() - firedAt < SETTLE_CAP_MS; ) {
      await sleep(500);
      const next = await cpuSeconds(pid);
      quiet = next - cpu < 0.05 ? quiet + 1 : 0;
      cpu = next;
    }
    const settledMs = performance.now() - firedAt - 1_500;
    const rssWaiting = await rssMiB(pid);
    // Every waiter waits: the bystander alone is served.
    const quietFrom = performance.now();
    await sleep(QUIET_MS);
    const quietTo = performance.now();
    progress(
      `${WAITERS} long polls settled in ${(settledMs / 1000).toFixed(1)} s (${rounds} answers before the message)`,
    );
    const roundsBefore = rounds;

    sentAt = performance.now();
    const sent = await setup.call(
      'PUT',
      `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/wake`,
      { token: users[0]!.accessToken, body: { msgtype: 'm.text', body } },
    );
    assert.equal(sent.status, 200);
    const results = await Promise.all(waiters);
    const wokenAt = performance.now();
    progress('all answered');
    const rssAfter = await rssMiB(pid);
    await sleep(500);
    watching = false;
    await watch;

    const wakeMs = results.map((result) => result.at - sentAt);
    const rampUp = bystanderMs.filter((each) => each.at < quietFrom).map((each) => each.ms);
    const quiet = bystanderMs
      .filter((each) => each.at >= quietFrom && each.at + each.ms <= quietTo)
      .map((each) => each.ms);
    const duringWake = bystanderMs
      .filter((each) => each.at < wokenAt && each.at + each.ms > sentAt)
      .map((each) => each.ms);
    const all = bystanderMs.map((each) => each.ms);
    console.log(
      `long-poll capacity (${backend.name}): ${WAITERS} waiters (${USERS} users x ${PER_USER}, timeout ${SYNC_TIMEOUT_MS / 1000} s)`,
    );
    for (const line of [
      `settled in ${(settledMs / 1000).toFixed(1)} s (${roundsBefore} answers before the message)`,
      `wake-up p50/p99/all ${stats(wakeMs)} ms; ${rounds - roundsBefore - WAITERS} extra rounds after the wake; ${results.filter((result) => result.status !== 200).length} waiters not answered 200`,
      `server RSS idle ${rssIdle.toFixed(0)} MiB, all waiting ${rssWaiting.toFixed(0)} MiB, after the wake ${rssAfter.toFixed(0)} MiB`,
      `bystander p50/p99/max while the waiters arrive ${stats(rampUp)} ms (${rampUp.length} requests), while they wait ${stats(quiet)} ms (${quiet.length}), during the wake ${stats(duringWake)} ms (${duringWake.length}), slowest of all ${Math.max(...all).toFixed(0)} ms, ${bystanderErrors.length} errors`,
    ]) {
      console.log(`  ${line}`);
    }
    const unanswered = results.filter((result) => result.status !== 200);
    assert.equal(
      unanswered.length,
      0,
      `waiters without a 200: ${unanswered.length}, e.g. ${unanswered[0]?.status} ${unanswered[0]?.error}`,
    );
    assert.deepEqual(bystanderErrors.slice(0, 3), [], 'the bystander was answered 200');
    assert.ok(
      percentile(wakeMs, 100) < WAKE_BOUND_MS,
      `all woke within ${WAKE_BOUND_MS} ms: ${stats(wakeMs)}`,
    );
    assert.ok(
      rampUp.length > 0 && quiet.length >= 6 && duringWake.length > 0,
      'bystander measured throughout',
    );
    assert.ok(
      percentile(quiet, 99) < QUIET_P99_MS,
      `bystander while the waiters wait: ${stats(quiet)}`,
    );
    assert.ok(
      percentile(rampUp, 50) < BYSTANDER_MEDIAN_MS,
      `bystander median while the waiters arrive: ${stats(rampUp)}`,
    );
    assert.ok(
      Math.max(...all) < SYNC_TIMEOUT_MS,
      `bystander's slowest request: ${Math.max(...all).toFixed(0)} ms`,
    );
  });
});

function stats(values: number[]): string {
  if (values.length === 0) return '-';
  return [50, 99, 100].map((p) => percentile(values, p).toFixed(0)).join('/');
}
