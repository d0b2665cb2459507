// PostgreSQL goes away under a running Cairn: the test runs its own cluster, and stops and starts
// it while clients send to one room and long-poll /sync. Cairn is not restarted. While the
// database is down every request must be answered quickly with a Matrix error (503, not a hang and
// not a crash: `pg` emits 'error' for idle connections the server dropped); once it is back Cairn
// must serve again by itself, long-polls waiting through the outage must carry on, and nothing
// acknowledged may be missing.
// https://spec.matrix.org/latest/client-server-api/#standard-error-response
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { newDataDir, REPO_ROOT, startCairn, testEnv } from '../support/cairn-process.ts';
import { soakScale } from '../support/soak.ts';
import { freePort } from '../support/synapse-peer.ts';
import { checkDelivery } from './delivery-check.ts';
import {
  type Account,
  type Acknowledged,
  type Answer,
  call,
  createPublicRoom,
  describeCounters,
  followSync,
  initialSyncToken,
  joinRoom,
  newCounters,
  register,
  roomHistory,
  type SyncStream,
  sendMessages,
  sleep,
} from './fault-clients.ts';

const SIZE = soakScale(
  { clients: 20, messagesEach: 6, restarts: 1, outageMs: 3_000 },
  { clients: 50, messagesEach: 40, restarts: 4, outageMs: 10_000 },
);
/** What "answered quickly" means while the database is down. */
const QUICK_MS = 5_000;

const POSTGRES_SCRIPT = join(REPO_ROOT, '.ci', 'postgres.sh');

/** A PostgreSQL cluster of the test's own, so stopping it disturbs no other test. */
async function ownCluster() {
  const parent = mkdtempSync(join(tmpdir(), 'cairn-pg-fault-'));
  // The server runs as `postgres` when the tests run as root: it must reach its directory.
  chmodSync(parent, 0o755);
  const dir = join(parent, 'data');
  const port = String(await freePort());
  const run = (command: 'start' | 'stop') => {
    const result = spawnSync('bash', [POSTGRES_SCRIPT, command, dir, port], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(result.status, 0, `postgres.sh ${command}: ${result.stderr}`);
    return result.stdout.trim();
  };
  const url = run('start');
  return {
    url,
    stop: () => run('stop'),
    start: () => run('start'),
    remove: () => {
      run('stop');
      rmSync(parent, { recursive: true, force: true });
    },
  };
}

const available =
  spawnSync('bash', ['-c', 'ls /usr/lib/postgresql/*/bin/initdb || command -v initdb']).status ===
  0;

describe('PostgreSQL restarts under a running Cairn', {
  skip: !available && 'no PostgreSQL server binaries (initdb) on this machine',
  timeout: 300_000,
}, () => {
  test(`${SIZE.clients} clients through ${SIZE.restarts} database restart(s)`, async (t) => {
    const cluster = await ownCluster();
    t.after(() => cluster.remove());
    const env = testEnv(newDataDir(), {
      CAIRN_ENABLE_REGISTRATION: 'true',
      CAIRN_DATABASE_URL: cluster.url,
    });
    const server = await startCairn(env);
    t.after(() => server.stop());
    // If it dies, the reason is on stderr (an uncaught error) or in its last error log lines.
    let stderr = '';
    server.child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    const deathNote = () =>
      `exit ${server.child.exitCode ?? server.child.signalCode}\n${stderr.slice(-3000)}\n${server.logs
        .filter((entry) => Number(entry.level) >= 50)
        .slice(-3)
        .map((entry) => JSON.stringify(entry).slice(0, 1000))
        .join('\n')}`;
    const baseUrl = server.clientUrl;

    const users: Account[] = [];
    for (let i = 0; i < SIZE.clients; i++) users.push(await register(baseUrl, `user${i}`));
    const roomId = await createPublicRoom(baseUrl, users[0]!);
    await Promise.all(users.slice(1).map((user) => joinRoom(baseUrl, user, roomId)));
    const tokens = await Promise.all(users.map((user) => initialSyncToken(baseUrl, user)));

    const counters = newCounters();
    const total = SIZE.clients * SIZE.messagesEach;
    const streams = new Map<string, SyncStream>();
    for (const [i, user] of users.entries()) {
      streams.set(
        user.userId,
        followSync(user, {
          baseUrl: () => baseUrl,
          roomId,
          since: tokens[i]!,
          done: (timeline) => timeline.length >= total,
          counters,
          // Long enough that most clients are waiting in a long-poll when the database goes.
          longPollMs: 10_000,
        }),
      );
    }

    // Outages at evenly spaced points of the acknowledged count. During each, a probe client
    // asks for what every client asks for (a send, a sync, history) and times the answers.
    const restartAt = Array.from({ length: SIZE.restarts }, (_, k) =>
      Math.floor((total * (k + 1)) / (SIZE.restarts + 1)),
    );
    const outageAnswers: (Answer & { what: string })[] = [];
    const recoveryMs: number[] = [];
    /** For each long-poll that waited through an outage: ms from the database's return to its answer. */
    const longPollsAcross: number[] = [];
    let outageMs = 0;
    let outages: Promise<void> = Promise.resolve();
    const probe = users[0]!;
    const probeOnce = async (n: number) => {
      const room = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}`;
      const requests: [string, string, string, unknown?][] = [
        ['send', 'PUT', `${room}/send/m.room.message/probe${n}`, { msgtype: 'm.text', body: 'x' }],
        [
          'sync',
          'GET',
          `/_matrix/client/v3/sync?since=${encodeURIComponent(tokens[0]!)}&timeout=0`,
        ],
        ['messages', 'GET', `${room}/messages?dir=b&limit=5`],
        ['whoami', 'GET', '/_matrix/client/v3/account/whoami'],
      ];
      for (const [what, method, path, body] of requests) {
        const answer = await call(baseUrl, method, path, {
          token: probe.token,
          body,
          timeoutMs: 30_000,
        });
        outageAnswers.push({ ...answer, what });
      }
    };
    const onAcknowledged = () => {
      if (restartAt.length === 0 || counters.sendsAcknowledged < restartAt[0]!) return;
      restartAt.shift();
      outages = outages.then(async () => {
        // A long-poll that starts before the outage and is still waiting when it ends: it must
        // come back with the first messages sent once the database is back.
        const position = await call(baseUrl, 'GET', '/_matrix/client/v3/sync?timeout=0', {
          token: probe.token,
        });
        assert.equal(position.status, 200, JSON.stringify(position.body));
        const since = encodeURIComponent(position.body.next_batch);
        const waiting = call(
          baseUrl,
          'GET',
          `/_matrix/client/v3/sync?since=${since}&timeout=${SIZE.outageMs + 30_000}`,
          {
            token: probe.token,
            timeoutMs: SIZE.outageMs + 60_000,
          },
        );
        // Time to get past its first build into the wait (there is no way to see it waiting).
        await sleep(2_000);
        const down = Date.now();
        cluster.stop();
        // Probes until the outage is over, then the database comes back.
        let n = outageAnswers.length;
        while (Date.now() - down < SIZE.outageMs) await probeOnce(n++);
        cluster.start();
        outageMs += Date.now() - down;
        // Back: how long until Cairn serves again, without being restarted.
        const up = Date.now();
        for (;;) {
          const answer = await call(baseUrl, 'GET', '/_matrix/client/v3/account/whoami', {
            token: probe.token,
          });
          if (answer.status === 200) break;
          assert.ok(
            Date.now() - up < 30_000,
            `Cairn serves again within 30 s of PostgreSQL: ${answer.status} ${JSON.stringify(answer.body)}, ${deathNote()}`,
          );
          await sleep(100);
        }
        recoveryMs.push(Date.now() - up);
        const waited = await waiting;
        assert.equal(
          waited.status,
          200,
          `long-poll across the outage: ${JSON.stringify(waited.body)}`,
        );
        const events = waited.body.rooms?.join?.[roomId]?.timeline?.events ?? [];
        assert.ok(events.length > 0, 'the long-poll across the outage returned new messages');
        longPollsAcross.push(Date.now() - up);
      });
    };

    const acknowledged = new Map<string, Acknowledged[]>();
    await Promise.all(
      users.map(async (user) => {
        const acks = await sendMessages(user, 0, SIZE.messagesEach, {
          baseUrl: () => baseUrl,
          roomId,
          counters,
          onAcknowledged,
          giveUpMs: 120_000,
        });
        acknowledged.set(user.userId, acks);
      }),
    );
    await outages;
    assert.equal(recoveryMs.length, SIZE.restarts, 'every planned restart happened');
    const syncDeadline = setTimeout(() => {
      for (const stream of streams.values()) stream.stop();
    }, 60_000);
    const syncs = await Promise.allSettled([...streams.values()].map((s) => s.finished));
    clearTimeout(syncDeadline);

    assert.equal(server.child.exitCode ?? server.child.signalCode, null, deathNote());
    // The probe's sends during the outage failed; any that committed anyway would be in the
    // room unacknowledged, so the check below covers them too.
    const history = await roomHistory(baseUrl, users[0]!, roomId);
    const figures = checkDelivery(history, acknowledged, streams);
    const stuck = syncs.filter((outcome) => outcome.status === 'rejected');
    assert.equal(stuck.length, 0, `syncs that never saw everything: ${stuck.map(String)}`);

    const byAnswer = new Map<string, number>();
    for (const answer of outageAnswers) {
      const key = `${answer.what} ${answer.status} ${answer.body?.errcode}`;
      byAnswer.set(key, (byAnswer.get(key) ?? 0) + 1);
    }
    const slowest = Math.max(...outageAnswers.map((answer) => answer.ms));
    const connectionErrors = server.logs.filter(
      (entry) => entry.msg === 'PostgreSQL connection failed',
    ).length;
    const lines = [
      `PostgreSQL restarts: ${SIZE.clients} clients, ${SIZE.restarts} PostgreSQL restart(s), ${(outageMs / 1000).toFixed(1)} s of outage in total; Cairn served again ${recoveryMs.map((ms) => `${ms} ms`).join(', ')} after PostgreSQL was back`,
      `during the outages: ${outageAnswers.length} probe requests answered, slowest ${Math.round(slowest)} ms: ${[...byAnswer].map(([key, n]) => `${key} x${n}`).join(', ')}`,
      `messages acknowledged ${counters.sendsAcknowledged}, in the room ${figures.messagesInRoom}, checked ${figures.acknowledgedChecked}; sync events compared ${figures.syncEventsChecked}`,
      `PostgreSQL connection errors logged (and survived): ${connectionErrors}; long-polls waiting through an outage answered with new messages ${longPollsAcross.map((ms) => `${ms} ms`).join(', ')} after PostgreSQL was back`,
      ...describeCounters(counters),
    ];
    for (const [i, line] of lines.entries()) console.log(i === 0 ? line : `  ${line}`);

    assert.ok(outageAnswers.length > 0, 'requests were made during the outage');
    for (const answer of outageAnswers) {
      assert.ok(answer.ms < QUICK_MS, `${answer.what} answered in ${Math.round(answer.ms)} ms`);
      assert.equal(
        answer.status,
        503,
        `${answer.what}: ${answer.status} ${JSON.stringify(answer.body)}`,
      );
      assert.equal(
        answer.body?.errcode,
        'M_UNKNOWN',
        `${answer.what}: ${JSON.stringify(answer.body)}`,
      );
    }
    // Clients' own requests during the outage: errors, never a hang.
    assert.ok(counters.slowestFailedSendMs < QUICK_MS, 'every failed send was answered quickly');
    assert.equal(figures.messagesInRoom, total);
  });
});
