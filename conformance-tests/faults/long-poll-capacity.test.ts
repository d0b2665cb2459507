// Thousands of long-polling /sync requests on one `cairn start` process: 100 users in one room,
// each with 100 connections waiting (timeout=30000), 10,000 at once (more under test:soak). One
// message to the room must wake all of them, and a separate user's ordinary requests must be
// answered promptly throughout. Prints the time for the requests to settle, the time until the
// last one got the message, the server's RSS at each step, and the bystander's latencies.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { Agent, request } from 'undici';
import { newDataDir, startCairn, testEnv } from '../support/cairn-process.ts';
import { PROCESS_BACKENDS } from '../support/js-sdk-clients.ts';
import { soakScale } from '../support/soak.ts';
import {
  enc,
  type ProcessUser,
  percentile,
  processClient,
  rssMiB,
  syncedBodies,
} from './process-client.ts';

const USERS = 100;
const PER_USER = soakScale(100, 150);
const WAITERS = USERS * PER_USER;
const SYNC_TIMEOUT_MS = 30_000;
const BYSTANDER_BOUND_MS = 2_000;
const WAKE_BOUND_MS = 60_000;

const backend = PROCESS_BACKENDS.findLast((each) => !each.skip)!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** CPU seconds the process has used (utime + stime from /proc/<pid>/stat). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

// todo until /sync has a fast path for "nothing new": each incremental sync now costs a dozen
// queries even when nothing changed, and on 2 shared cores 10,000 of them took 60-120 s to settle
// and longer than 60 s to answer after the wake (issue 11 note). Remove the todo with that fix.
const TODO = 'incremental /sync has no fast path yet: 10,000 waiters do not settle in time';

describe(`long-poll capacity (${backend.name})`, { timeout: 420_000 }, () => {
  test(`${WAITERS} waiting /sync requests wake on one message; others are still served`, {
    todo: TODO,
  }, async (t) => {
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

    // The bystander: a whoami, a send and a sync without waiting, one after another, timed.
    const bystanderMs: { phase: string; ms: number }[] = [];
    let phase = 'ramp-up';
    let watching = true;
    const bystanderClient = processClient(server.clientUrl, 4);
    t.after(() => bystanderClient.close());
    const watch = (async () => {
      let bystanderSince = '';
      for (let n = 0; watching; n++) {
        const token = bystander.accessToken;
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
          const reply = await call;
          assert.equal(reply.status, 200, JSON.stringify(reply.body));
          bystanderMs.push({ phase, ms: reply.ms });
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
        for (;;) {
          const response = await request(
            `${server.clientUrl}/_matrix/client/v3/sync?filter=${filter}&timeout=${SYNC_TIMEOUT_MS}&since=${enc(from)}`,
            { dispatcher: agent, headers: { authorization: `Bearer ${user.accessToken}` } },
          );
          const reply = (await response.body.json()) as Record<string, unknown>;
          rounds++;
          if (response.statusCode !== 200 || syncedBodies(reply, roomId).includes(body)) {
            return { status: response.statusCode, at: performance.now() };
          }
          from = reply.next_batch as string;
        }
      }),
    );
    const failed = Promise.all(waiters).catch((err) => err as Error);

    // Settled: the server has taken them all in when its CPU goes quiet.
    let cpu = await cpuSeconds(pid);
    for (let quiet = 0; quiet < 3 && performance.now() - firedAt < 120_000; ) {
      await sleep(500);
      const next = await cpuSeconds(pid);
      quiet = next - cpu < 0.05 ? quiet + 1 : 0;
      cpu = next;
    }
    const settledMs = performance.now() - firedAt - 1_500;
    const rssWaiting = await rssMiB(pid);
    progress(
      `${WAITERS} long polls settled in ${(settledMs / 1000).toFixed(1)} s (${rounds} answers before the message)`,
    );
    const roundsBefore = rounds;

    phase = 'wake';
    sentAt = performance.now();
    const sent = await setup.call(
      'PUT',
      `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/wake`,
      { token: users[0]!.accessToken, body: { msgtype: 'm.text', body } },
    );
    assert.equal(sent.status, 200);
    const results = await Promise.all(waiters);
    progress('all answered');
    const rssAfter = await rssMiB(pid);
    phase = 'after';
    await sleep(500);
    watching = false;
    await watch;
    assert.equal((await failed) instanceof Error, false);

    const wakeMs = results.map((result) => result.at - sentAt);
    const byPhase = (name: string) =>
      bystanderMs.filter((each) => each.phase === name).map((each) => each.ms);
    console.log(
      `long-poll: ${WAITERS} waiters (${USERS} users x ${PER_USER}) on ${backend.name}; settled in ${(settledMs / 1000).toFixed(1)} s; ` +
        `wake-up p50/p99/all ${wakeMs.length ? [50, 99, 100].map((p) => percentile(wakeMs, p).toFixed(0)).join('/') : '-'} ms; ` +
        `${rounds - roundsBefore - WAITERS} extra rounds after the wake; RSS idle ${rssIdle.toFixed(0)} MiB, waiting ${rssWaiting.toFixed(0)} MiB, after ${rssAfter.toFixed(0)} MiB; ` +
        `bystander p50/p99/max ramp-up ${stats(byPhase('ramp-up'))}, wake ${stats(byPhase('wake'))} ms`,
    );
    assert.equal(results.filter((result) => result.status !== 200).length, 0);
    assert.ok(percentile(wakeMs, 100) < WAKE_BOUND_MS, 'all woke within the bound');
    for (const name of ['ramp-up', 'wake']) {
      assert.ok(byPhase(name).length > 0, `bystander measured during ${name}`);
      assert.ok(
        percentile(byPhase(name), 99) < BYSTANDER_BOUND_MS,
        `bystander p99 during ${name}: ${stats(byPhase(name))}`,
      );
    }
  });
});

function stats(values: number[]): string {
  if (values.length === 0) return '-';
  return [50, 99, 100].map((p) => percentile(values, p).toFixed(0)).join('/');
}
