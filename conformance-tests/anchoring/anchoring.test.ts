// Issue 8 end to end: `cairn start` on PostgreSQL with a real Kubo daemon (when given) and a real
// local chain (anvil), the anchor contract deployed on it. Messages are sent, epochs are built
// and anchored, `cairn verify-room` (a separate process, using only the chain, IPFS and the
// server's public archive) passes; the snapshot chain links back across epochs and a restart;
// epochs built while the chain is down are anchored later, in order; and tampering with the
// database (altered content, a deleted event, a rewritten branch) makes verify-room fail naming
// the event.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CID } from 'multiformats/cid';
import pg from 'pg';
import { openChainReader } from '../../server/anchoring/chain-anchorer.ts';
import { deployAnchorContract } from '../../server/anchoring/deploy-anchor-contract.ts';
import { decodeSnapshot } from '../../server/anchoring/snapshot-document.ts';
import { type AnvilChain, anvilSkipReason, startAnvilChain } from '../support/anvil-chain.ts';
import {
  type CairnProcess,
  newDataDir,
  runCairn,
  startCairn,
  testEnv,
} from '../support/cairn-process.ts';
import { createScratchDatabase, dropScratchDatabase } from '../support/databases.ts';
import { kuboNode, kuboSkipReason } from '../support/kubo-node.ts';

const PASSWORD = 'correct horse battery staple';
const skip =
  (!process.env.CAIRN_TEST_DATABASE_URL &&
    'CAIRN_TEST_DATABASE_URL is not set (tampering edits PostgreSQL)') ||
  anvilSkipReason();

async function call(
  base: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('anchoring on a real chain and IPFS', { skip }, () => {
  let chain: AnvilChain;
  let server: CairnProcess;
  let databaseUrl: string;
  let db: pg.Client;
  let env: NodeJS.ProcessEnv;
  let token: string;
  let roomId: string;
  let contract: string;
  let txn = 0;
  const useKubo = kuboSkipReason() === false;

  const send = async (body: string) => {
    const res = await call(
      server.clientUrl,
      'PUT',
      `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/t${txn++}`,
      token,
      { msgtype: 'm.text', body },
    );
    assert.equal(res.status, 200, JSON.stringify(res.json));
    return res.json.event_id as string;
  };
  const epochNow = async () => {
    const res = await call(server.clientUrl, 'POST', '/_cairn/v1/anchors/epochs', token);
    assert.equal(res.status, 200, JSON.stringify(res.json));
    return res.json as { built: { epoch: number } | null; anchored: number; anchor_error?: string };
  };
  const verify = () =>
    runCairn(
      [
        'verify-room',
        roomId,
        '--server',
        server.clientUrl,
        '--access-token',
        token,
        '--rpc',
        chain.rpcUrl,
        '--contract',
        contract,
        ...(useKubo ? ['--ipfs-api', kuboNode().apiUrl] : []),
      ],
      env,
    );

  before(async () => {
    chain = await startAnvilChain({ stateFile: `${newDataDir()}/anvil-state.json` });
    const deployed = await deployAnchorContract({
      rpcUrl: chain.rpcUrl,
      privateKey: chain.privateKeys[0] as string,
    });
    contract = deployed.address;
    databaseUrl = await createScratchDatabase(process.env.CAIRN_TEST_DATABASE_URL as string);
    db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    env = testEnv(newDataDir(), {
      CAIRN_SERVER_NAME: 'anchor.test',
      CAIRN_DATABASE_URL: databaseUrl,
      CAIRN_CHAIN_RPC_URL: chain.rpcUrl,
      CAIRN_CHAIN_PRIVATE_KEY: chain.privateKeys[0] as string,
      CAIRN_ANCHOR_CONTRACT: contract,
      // Passes are asked for by the test; the timer would race it.
      CAIRN_ANCHOR_INTERVAL_SECONDS: '3600',
      ...(useKubo ? { CAIRN_IPFS_API: kuboNode().apiUrl } : {}),
    });
    server = await startCairn(env);
    const created = runCairn(['register-user', 'alice', '--password', PASSWORD, '--admin'], env);
    assert.equal(created.status, 0, created.stderr);
    const login = await call(server.clientUrl, 'POST', '/_matrix/client/v3/login', undefined, {
      type: 'm.login.password',
      identifier: { type: 'm.id.user', user: 'alice' },
      password: PASSWORD,
    });
    token = login.json.access_token as string;
    const room = await call(server.clientUrl, 'POST', '/_matrix/client/v3/createRoom', token, {
      preset: 'private_chat',
    });
    roomId = room.json.room_id as string;
  });

  after(async () => {
    await server?.stop();
    await db?.end();
    await chain?.stop();
    if (databaseUrl)
      await dropScratchDatabase(process.env.CAIRN_TEST_DATABASE_URL as string, databaseUrl);
  });

  test('epochs are anchored and verify-room passes; the snapshot chain links back', async () => {
    for (let i = 0; i < 5; i++) await send(`first ${i}`);
    const first = await epochNow();
    assert.equal(first.built?.epoch, 1);
    assert.equal(first.anchored, 1);
    const ok1 = verify();
    assert.equal(ok1.status, 0, `${ok1.stdout}${ok1.stderr}`);
    assert.match(ok1.stdout, /^OK: .* 1 anchored epochs/);

    for (let i = 0; i < 3; i++) await send(`second ${i}`);
    const second = await epochNow();
    assert.equal(second.built?.epoch, 2);
    const ok2 = verify();
    assert.equal(ok2.status, 0, `${ok2.stdout}${ok2.stderr}`);
    assert.match(ok2.stdout, /2 snapshots of this room/);

    // Nothing changed: no epoch.
    assert.equal((await epochNow()).built, null);

    const record = await call(
      server.clientUrl,
      'GET',
      `/_cairn/v1/anchors/rooms/${encodeURIComponent(roomId)}`,
      token,
    );
    const snapshots = record.json.snapshots as {
      snapshot: { cid: string };
      epoch: { epoch: number; tx_hash: string };
    }[];
    assert.equal(snapshots.length, 2);
    const block = await fetch(`${server.clientUrl}/_cairn/v1/blocks/${snapshots[1]?.snapshot.cid}`);
    const latest = decodeSnapshot(new Uint8Array(await block.arrayBuffer()));
    assert.equal(latest.previous?.toString(), snapshots[0]?.snapshot.cid);
    assert.match(snapshots[1]?.epoch.tx_hash ?? '', /^0x[0-9a-f]{64}$/);
  });

  test('epochs built while the chain is down are anchored later, in order', async () => {
    await chain.stop();
    await send('while down 1');
    const third = await epochNow();
    assert.equal(third.built?.epoch, 3);
    assert.equal(third.anchored, 0);
    assert.ok(third.anchor_error, 'the pass says why it could not anchor');
    await send('while down 2');
    const fourth = await epochNow();
    assert.equal(fourth.built?.epoch, 4);
    assert.equal(fourth.anchored, 0);

    await chain.start();
    const back = await epochNow();
    assert.equal(back.built, null);
    assert.equal(back.anchored, 2);
    const reader = await openChainReader(chain.rpcUrl, contract);
    try {
      assert.equal(await reader.latestEpoch(), 4);
      const onChain = await reader.anchoredEpochs();
      assert.deepEqual(
        onChain.map((a) => a.epoch),
        [1, 2, 3, 4],
      );
      // In order: each epoch's block is at or after the one before.
      for (let i = 1; i < onChain.length; i++) {
        assert.ok((onChain[i]?.blockNumber ?? 0) >= (onChain[i - 1]?.blockNumber ?? 0));
      }
    } finally {
      reader.close();
    }
    const ok = verify();
    assert.equal(ok.status, 0, `${ok.stdout}${ok.stderr}`);
  });

  test('after a restart the snapshot chain continues', async () => {
    await server.stop();
    server = await startCairn(env);
    await send('after restart');
    const fifth = await epochNow();
    assert.equal(fifth.built?.epoch, 5);
    assert.equal(fifth.anchored, 1);
    const record = await call(
      server.clientUrl,
      'GET',
      `/_cairn/v1/anchors/rooms/${encodeURIComponent(roomId)}`,
      token,
    );
    const snapshots = record.json.snapshots as { snapshot: { cid: string } }[];
    const block = await fetch(
      `${server.clientUrl}/_cairn/v1/blocks/${snapshots.at(-1)?.snapshot.cid}`,
    );
    const latest = decodeSnapshot(new Uint8Array(await block.arrayBuffer()));
    assert.equal(latest.previous?.toString(), snapshots.at(-2)?.snapshot.cid);
    assert.ok(CID.parse(snapshots.at(-1)?.snapshot.cid as string));
    const ok = verify();
    assert.equal(ok.status, 0, `${ok.stdout}${ok.stderr}`);
  });

  test("an opted-in room's events are archived and verify from IPFS alone", async () => {
    const optIn = await call(
      server.clientUrl,
      'PUT',
      `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/org.cairn.archive/`,
      token,
      { enabled: true },
    );
    assert.equal(optIn.status, 200, JSON.stringify(optIn.json));
    await send('archived');
    const epoch = await epochNow();
    assert.equal(epoch.anchored, 1);
    const record = await call(
      server.clientUrl,
      'GET',
      `/_cairn/v1/anchors/rooms/${encodeURIComponent(roomId)}`,
      token,
    );
    const archive = record.json.archive as { root_cid: string };
    assert.ok(archive?.root_cid, JSON.stringify(record.json));
    // With Kubo, the server is not asked at all: chain + IPFS only.
    const fromIpfs = runCairn(
      [
        'verify-room',
        roomId,
        '--archive',
        archive.root_cid,
        '--rpc',
        chain.rpcUrl,
        '--contract',
        contract,
        ...(useKubo ? ['--ipfs-api', kuboNode().apiUrl] : ['--server', server.clientUrl]),
      ],
      env,
    );
    assert.equal(fromIpfs.status, 0, fromIpfs.stdout + fromIpfs.stderr);
    assert.match(fromIpfs.stdout, /^OK: /);
  });

  test('altered content, a deleted event and a rewritten branch are each named', async () => {
    const target = await db.query<{ event_id: string; json: string }>(
      `SELECT event_id, json FROM events WHERE room_id = $1 AND json LIKE '%first 2%'`,
      [roomId],
    );
    const row = target.rows[0];
    assert.ok(row);

    // 1. An event's content edited in the database.
    await db.query('UPDATE events SET json = $2 WHERE event_id = $1', [
      row.event_id,
      row.json.replace('first 2', 'forged 2'),
    ]);
    const altered = verify();
    assert.equal(altered.status, 1, altered.stdout + altered.stderr);
    assert.match(
      altered.stdout,
      new RegExp(`BROKEN: event \\${row.event_id}: its content was altered`),
    );
    await db.query('UPDATE events SET json = $2 WHERE event_id = $1', [row.event_id, row.json]);
    assert.equal(verify().status, 0);

    // 2. An event deleted.
    const saved = await db.query('SELECT * FROM events WHERE event_id = $1', [row.event_id]);
    await db.query('DELETE FROM events WHERE event_id = $1', [row.event_id]);
    const deleted = verify();
    assert.equal(deleted.status, 1, deleted.stdout + deleted.stderr);
    assert.match(deleted.stdout, new RegExp(`BROKEN: event \\${row.event_id} `));
    const columns = Object.keys(saved.rows[0] as object);
    await db.query(
      `INSERT INTO events (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
      columns.map((c) => (saved.rows[0] as Record<string, unknown>)[c]),
    );
    assert.equal(verify().status, 0);

    // 3. A branch replaced: the room's heads moved back to an older event, so the history shown
    // no longer contains the heads anchored since.
    const heads = await db.query<{ event_id: string }>(
      'SELECT event_id FROM room_forward_extremities WHERE room_id = $1',
      [roomId],
    );
    await db.query('DELETE FROM room_forward_extremities WHERE room_id = $1', [roomId]);
    await db.query('INSERT INTO room_forward_extremities (room_id, event_id) VALUES ($1, $2)', [
      roomId,
      row.event_id,
    ]);
    const rewritten = verify();
    assert.equal(rewritten.status, 1, rewritten.stdout + rewritten.stderr);
    assert.match(
      rewritten.stdout,
      /BROKEN: event \$\S+, anchored as a head in epoch \d+, is not an ancestor/,
    );
    await db.query('DELETE FROM room_forward_extremities WHERE room_id = $1', [roomId]);
    for (const head of heads.rows) {
      await db.query('INSERT INTO room_forward_extremities (room_id, event_id) VALUES ($1, $2)', [
        roomId,
        head.event_id,
      ]);
    }
    assert.equal(verify().status, 0);
  });
});
