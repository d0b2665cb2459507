// Crash recovery: `cairn start` is killed with SIGKILL (no shutdown of any kind) while 50 clients
// send to one room and long-poll /sync, then started again on the same data dir, database and
// ports. Clients behave as real ones do: a send that got no answer is retried with the same
// txnId, and /sync carries on from the token it had. Afterwards every acknowledged message must be
// in the room exactly once and in its sender's order, and every client's sync stream must be the
// room's history exactly. The same for federation: events hs1 acknowledged while hs2 was cut off
// must reach hs2 after hs1 was killed and restarted.
// https://spec.matrix.org/latest/client-server-api/#transaction-identifiers
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startFederatedCairns } from '../support/cairn-federation.ts';
import { type CairnProcess, newDataDir, startCairn, testEnv } from '../support/cairn-process.ts';
import { PROCESS_BACKENDS } from '../support/js-sdk-clients.ts';
import { soakScale } from '../support/soak.ts';
import { freePort } from '../support/synapse-peer.ts';
import { checkDelivery } from './delivery-check.ts';
import {
  type Acknowledged,
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
  { clients: 50, messagesEach: 2, kills: 1, federatedMessages: 20, federatedKills: 1 },
  { clients: 50, messagesEach: 40, kills: 4, federatedMessages: 300, federatedKills: 3 },
);

/** SIGKILL, and wait until the process is gone (its port and database connections with it). */
async function killHard(server: CairnProcess): Promise<void> {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  assert.ok(server.child.kill('SIGKILL'), 'SIGKILL delivered');
  await exited;
}

for (const backend of PROCESS_BACKENDS) {
  describe(`crash recovery (${backend.name})`, { skip: backend.skip, timeout: 300_000 }, () => {
    test(`${SIZE.clients} clients send and sync through ${SIZE.kills} SIGKILL(s)`, async (t) => {
      const startedAt = performance.now();
      const databaseUrl = await backend.databaseUrl();
      const clientPort = await freePort();
      const env = testEnv(newDataDir(), {
        CAIRN_ENABLE_REGISTRATION: 'true',
        CAIRN_CLIENT_PORT: String(clientPort),
        CAIRN_FEDERATION_PORT: String(await freePort()),
        ...(databaseUrl ? { CAIRN_DATABASE_URL: databaseUrl } : {}),
      });
      let server = await startCairn(env);
      t.after(() => server.stop());
      const baseUrl = server.clientUrl;

      const users = await Promise.all(
        Array.from({ length: SIZE.clients }, (_, i) => register(baseUrl, `user${i}`)),
      );
      const roomId = await createPublicRoom(baseUrl, users[0]!);
      await Promise.all(users.slice(1).map((user) => joinRoom(baseUrl, user, roomId)));
      // Every client's position before the first message: from here its sync must see them all.
      const tokens = await Promise.all(users.map((user) => initialSyncToken(baseUrl, user)));

      const setupMs = performance.now() - startedAt;
      const counters = newCounters();
      const total = SIZE.clients * SIZE.messagesEach;
      const streams = new Map<string, SyncStream>();
      for (const [i, user] of users.entries()) {
        const stream = followSync(user, {
          baseUrl: () => baseUrl,
          roomId,
          since: tokens[i]!,
          done: (timeline) => timeline.length >= total,
          counters,
        });
        streams.set(user.userId, stream);
      }

      // Kills at evenly spaced points of the acknowledged count, each started from a send's
      // acknowledgement so that the other 49 clients have requests in flight when it lands.
      const killTimes: number[] = [];
      /** Per kill: sends waiting for an answer when SIGKILL went out, and failed attempts since. */
      const inFlightAtKill: number[] = [];
      const failuresBeforeKill: number[] = [];
      let restarting: Promise<void> = Promise.resolve();
      const killAt = Array.from({ length: SIZE.kills }, (_, k) =>
        Math.floor((total * (k + 1)) / (SIZE.kills + 1)),
      );
      let downMs = 0;
      const onAcknowledged = () => {
        if (killAt.length === 0 || counters.sendsAcknowledged < killAt[0]!) return;
        killAt.shift();
        restarting = restarting.then(async () => {
          const killed = Date.now();
          killTimes.push(killed);
          inFlightAtKill.push(counters.sendsInFlight);
          failuresBeforeKill.push(counters.sendFailures);
          await killHard(server);
          server = await startCairn(env);
          assert.equal(server.clientUrl, baseUrl, 'restarted on the same port');
          downMs += Date.now() - killed;
        });
      };
      const acknowledged = new Map<string, Acknowledged[]>();
      const loadFrom = performance.now();
      await Promise.all(
        users.map(async (user) => {
          const acks = await sendMessages(user, 0, SIZE.messagesEach, {
            baseUrl: () => baseUrl,
            roomId,
            counters,
            onAcknowledged,
            giveUpMs: 90_000,
          });
          acknowledged.set(user.userId, acks);
        }),
      );
      await restarting;
      assert.equal(killTimes.length, SIZE.kills, 'every planned kill happened');
      const loadMs = performance.now() - loadFrom;

      const syncDeadline = setTimeout(() => {
        for (const stream of streams.values()) stream.stop();
      }, 60_000);
      const syncs = await Promise.allSettled([...streams.values()].map((s) => s.finished));
      clearTimeout(syncDeadline);
      const catchUpMs = performance.now() - loadFrom - loadMs;
      const history = await roomHistory(baseUrl, users[0]!, roomId);
      // Checked before the sync outcome: a loss or duplicate explains a sync that never finished.
      const figures = checkDelivery(history, acknowledged, streams);
      const stuck = syncs.filter((outcome) => outcome.status === 'rejected');
      assert.equal(stuck.length, 0, `syncs that never saw everything: ${stuck.map(String)}`);

      // A send whose answer the kill swallowed, though its event was committed: the retry with
      // the same txnId must have returned that event, not made a second one.
      const sentAt = new Map(history.map((event) => [event.event_id, event.origin_server_ts]));
      const deduplicated = [...acknowledged.values()]
        .flat()
        .filter(
          (ack) =>
            ack.attempts > 1 &&
            killTimes.some((kill) => sentAt.get(ack.eventId)! <= kill && ack.at > kill),
        ).length;
      const failedAfterKill = failuresBeforeKill.map(
        (before, k) => (failuresBeforeKill[k + 1] ?? counters.sendFailures) - before,
      );
      const lines = [
        `crash recovery, ${backend.name}: ${SIZE.clients} clients, ${SIZE.kills} SIGKILL(s) survived, ${Math.round(downMs / 1000)} s down in total (kill to restarted)`,
        `  sends in flight at each kill ${inFlightAtKill.join(', ')}; failed send attempts after each kill ${failedAfterKill.join(', ')}`,
        `  messages acknowledged ${counters.sendsAcknowledged}, in the room ${figures.messagesInRoom}, checked ${figures.acknowledgedChecked}; sync events compared ${figures.syncEventsChecked}`,
        `  sends committed before a kill whose answer was lost, deduplicated on retry: ${deduplicated}`,
        ...describeCounters(counters).map((line) => `  ${line}`),
        `  setup ${seconds(setupMs)} s, sends ${seconds(loadMs)} s, syncs caught up ${seconds(catchUpMs)} s later`,
      ];
      for (const line of lines) console.log(line);
      assert.equal(figures.messagesInRoom, total);
      // Each kill landed on sends that were waiting for an answer, and they failed.
      for (const [k, inFlight] of inFlightAtKill.entries()) {
        assert.ok(inFlight > 0, `kill ${k + 1}: no send was in flight`);
        assert.ok(failedAfterKill[k]! > 0, `kill ${k + 1}: no send failed`);
      }
    });

    test(`federation queues resume after ${SIZE.federatedKills} SIGKILL(s)`, async (t) => {
      const federation = await startFederatedCairns(['hs1.test', 'hs2.test'], backend.databaseUrl, {
        relays: true,
      });
      t.after(() => federation.stopAll());
      const hs1 = () => federation.servers[0]!.process.clientUrl;
      const hs2 = federation.servers[1]!.process.clientUrl;
      const alice = await register(hs1(), 'alice');
      const bob = await register(hs2, 'bob');
      const roomId = await createPublicRoom(hs1(), alice);
      await joinRoom(hs2, bob, roomId, 'hs1.test');

      // hs2 can no longer be reached: every event from here on waits in hs1's queue.
      federation.partition(true);
      const counters = newCounters();
      const killAt = Array.from({ length: SIZE.federatedKills }, (_, k) =>
        Math.floor((SIZE.federatedMessages * (k + 1)) / (SIZE.federatedKills + 1)),
      );
      let kills = 0;
      let restarting: Promise<void> = Promise.resolve();
      const acks = await sendMessages(alice, 0, SIZE.federatedMessages, {
        baseUrl: hs1,
        roomId,
        counters,
        // Not awaited: the next send is in flight when the kill lands.
        onAcknowledged: () => {
          if (killAt.length === 0 || counters.sendsAcknowledged < killAt[0]!) return;
          killAt.shift();
          restarting = restarting.then(async () => {
            await killHard(federation.servers[0]!.process);
            await federation.restart(0);
            kills++;
          });
        },
      });
      await restarting;
      assert.equal(kills, SIZE.federatedKills, 'every planned kill happened');
      federation.partition(false);

      // hs2 must end up with every acknowledged event, in order, without anyone prompting hs1.
      const expected = acks.map((ack) => ack.eventId);
      const deadline = Date.now() + 90_000;
      let received: string[] = [];
      for (;;) {
        const history = await roomHistory(hs2, bob, roomId);
        received = history.filter((e) => e.type === 'm.room.message').map((e) => e.event_id);
        if (received.length >= expected.length || Date.now() > deadline) break;
        await sleep(500);
      }
      const waited = Math.round((Date.now() - (deadline - 90_000)) / 1000);
      assert.deepEqual(received, expected, 'hs2 holds exactly what hs1 acknowledged, in order');
      console.log(
        `federation after SIGKILL, ${backend.name}: ${acks.length} events acknowledged by hs1 while hs2 was cut off, ${kills} SIGKILL(s) of hs1 survived, all ${received.length} on hs2 ${waited} s after the link came back`,
      );
      for (const line of describeCounters(counters)) console.log(`  ${line}`);
    });
  });
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}
