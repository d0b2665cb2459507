// The same cases against every IPLD block store: the local directory always, Kubo when
// CAIRN_TEST_IPFS_API points at a node (`bash .ci/kubo.sh start DIR PORT` prints it). On Kubo
// the CID the node computes must be the one we computed.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import * as dagJson from '@ipld/dag-json';
import { create } from 'kubo-rpc-client';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import {
  BlockNotFoundError,
  InvalidBlockError,
  type IpldBlockStore,
  MAX_BLOCK_BYTES,
} from './ipld-block-store.ts';
import { BlockStoreTimeoutError, createKuboBlockStore } from './kubo-block-store.ts';
import { createLocalBlockStore } from './local-block-store.ts';
import { encodeBlock, roomSnapshot, sha256Digest } from './snapshot-document.ts';

const KUBO_API = process.env.CAIRN_TEST_IPFS_API || undefined;

function rawBlock(bytes: Uint8Array): { cid: CID; bytes: Uint8Array } {
  return { cid: CID.create(1, raw.code, sha256Digest(bytes)), bytes };
}

/** A fresh dag-json block: a snapshot whose stream position no other test uses. */
function snapshotBlock(previous: CID | null = null) {
  return encodeBlock(
    roomSnapshot({
      roomId: '!room:example.org',
      roomVersion: '11',
      heads: [{ eventId: `$${randomBytes(8).toString('hex')}`, depth: 5 }],
      streamPosition: 7,
      previous,
      epoch: 1,
    }),
  );
}

interface StoreUnderTest {
  store: IpldBlockStore;
  /** Blocks the backend holds besides the interface: files (local) or recursive pins (Kubo). */
  stored(): Promise<string[]>;
  cleanup(): Promise<void>;
}

async function recursivePins(kubo: ReturnType<typeof create>): Promise<string[]> {
  const cids: string[] = [];
  for await (const pin of kubo.pin.ls({ type: 'recursive' })) cids.push(pin.cid.toString());
  return cids.sort();
}

const KINDS: { kind: string; skip: string | false; open(): Promise<StoreUnderTest> }[] = [
  {
    kind: 'local',
    skip: false,
    async open() {
      const dir = await mkdtemp(join(tmpdir(), 'cairn-blocks-'));
      return {
        store: createLocalBlockStore(dir),
        stored: async () => {
          const entries = await readdir(join(dir, 'blocks'), { recursive: true }).catch(() => []);
          return entries
            .filter((entry) => entry.includes('/'))
            .map((entry) => entry.split('/')[1]!);
        },
        cleanup: () => rm(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    kind: 'kubo',
    skip: KUBO_API === undefined ? 'CAIRN_TEST_IPFS_API is not set' : false,
    async open() {
      const kubo = create({ url: KUBO_API });
      const atStart = new Set(await recursivePins(kubo));
      const added = async () => (await recursivePins(kubo)).filter((cid) => !atStart.has(cid));
      return {
        store: createKuboBlockStore(KUBO_API as string),
        stored: added,
        cleanup: async () => {
          for (const cid of await added()) await kubo.pin.rm(CID.parse(cid));
        },
      };
    },
  },
];

test('a Kubo node is given when CAIRN_TEST_REQUIRE_IPFS=true', () => {
  if (process.env.CAIRN_TEST_REQUIRE_IPFS === 'true')
    assert.ok(KUBO_API, 'CAIRN_TEST_REQUIRE_IPFS=true but CAIRN_TEST_IPFS_API is not set');
});

for (const { kind, skip, open } of KINDS) {
  describe(`${kind} block store`, { skip }, () => {
    async function withStore(body: (t: StoreUnderTest) => Promise<void>): Promise<void> {
      const t = await open();
      try {
        await body(t);
      } finally {
        await t.cleanup();
      }
    }

    test('put, has, get: dag-json and raw blocks', () =>
      withStore(async ({ store, stored }) => {
        const first = snapshotBlock();
        const second = snapshotBlock(first.cid);
        const bytes = rawBlock(randomBytes(300_000));
        assert.equal(await store.has(first.cid), false);
        for (const block of [first, second, bytes]) await store.put(block.cid, block.bytes);
        for (const block of [first, second, bytes]) {
          assert.equal(await store.has(block.cid), true);
          assert.deepEqual(Buffer.from(await store.get(block.cid)), Buffer.from(block.bytes));
        }
        assert.deepEqual(
          (await stored()).sort(),
          [first, second, bytes].map((block) => block.cid.toString()).sort(),
        );
      }));

    test('a block stored twice is stored once', () =>
      withStore(async ({ store, stored }) => {
        const block = snapshotBlock();
        await store.put(block.cid, block.bytes);
        await store.put(block.cid, block.bytes);
        assert.deepEqual(await stored(), [block.cid.toString()]);
      }));

    test('an absent block: has is false, get is BlockNotFoundError', () =>
      withStore(async ({ store }) => {
        const absent = snapshotBlock();
        assert.equal(await store.has(absent.cid), false);
        await assert.rejects(store.get(absent.cid), (error: unknown) => {
          assert.ok(error instanceof BlockNotFoundError, String(error));
          assert.equal(error.cid, absent.cid.toString());
          return true;
        });
      }));

    const refused: [string, () => { cid: CID; bytes: Uint8Array }, RegExp][] = [
      [
        'bytes that do not hash to the CID',
        () => ({ cid: snapshotBlock().cid, bytes: snapshotBlock().bytes }),
        /do not hash to the CID/,
      ],
      [
        'a codec other than dag-json or raw',
        () => {
          const bytes = new TextEncoder().encode('{}');
          return { cid: CID.create(1, 0x71, sha256Digest(bytes)), bytes };
        },
        /codec 0x71/,
      ],
      [
        'a CIDv0',
        () => {
          const bytes = new Uint8Array([1, 2, 3]);
          return { cid: CID.createV0(sha256Digest(bytes)) as unknown as CID, bytes };
        },
        /only CIDv1/,
      ],
      ['a block over 1 MiB', () => rawBlock(new Uint8Array(MAX_BLOCK_BYTES + 1)), /over 1048576/],
      [
        'dag-json bytes that do not decode',
        () => {
          const bytes = new TextEncoder().encode('{"a":');
          return { cid: CID.create(1, dagJson.code, sha256Digest(bytes)), bytes };
        },
        /not dag-json/,
      ],
    ];
    for (const [name, make, message] of refused) {
      test(`put refuses ${name} and stores nothing`, () =>
        withStore(async ({ store, stored }) => {
          const { cid, bytes } = make();
          await assert.rejects(store.put(cid, bytes), (error: unknown) => {
            assert.ok(error instanceof InvalidBlockError, String(error));
            assert.match(error.message, message);
            return true;
          });
          assert.deepEqual(await stored(), []);
        }));
    }
  });
}

describe('local block store on disk', () => {
  test('a block changed on disk is reported by get, not served', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-blocks-'));
    after(() => rm(dir, { recursive: true, force: true }));
    const store = createLocalBlockStore(dir);
    const block = snapshotBlock();
    await store.put(block.cid, block.bytes);
    const name = block.cid.toString();
    const path = join(dir, 'blocks', name.slice(-2), name);
    assert.deepEqual(await readFile(path), Buffer.from(block.bytes));
    await writeFile(path, Buffer.from(block.bytes).toString().replace('"epoch":1', '"epoch":2'));
    await assert.rejects(store.get(block.cid), InvalidBlockError);
    // No temporary files are left behind by the puts.
    assert.deepEqual(await readdir(join(dir, 'tmp')), []);
  });
});

describe('kubo block store and the node', {
  skip: KUBO_API === undefined && 'CAIRN_TEST_IPFS_API is not set',
}, () => {
  test('Kubo computes the CIDs we compute, and pins the blocks recursively', async () => {
    const kubo = create({ url: KUBO_API });
    const store = createKuboBlockStore(KUBO_API as string);
    const previous = snapshotBlock();
    const block = snapshotBlock(previous.cid);
    const bytes = rawBlock(randomBytes(1000));
    try {
      // Kubo hashing the bytes on its own, without the store's equality check in between.
      for (const [one, codec] of [
        [previous, 'dag-json'],
        [bytes, 'raw'],
      ] as const) {
        const theirs = await kubo.block.put(one.bytes, {
          'cid-codec': codec,
          mhtype: 'sha2-256',
        } as Record<string, unknown>);
        assert.equal(theirs.toString(), one.cid.toString());
      }
      await store.put(previous.cid, previous.bytes);
      await store.put(block.cid, block.bytes);
      const pins = await recursivePins(kubo);
      assert.ok(pins.includes(block.cid.toString()));
      // Kubo reads the dag-json link: the previous snapshot is pinned through the new one too.
      const via: string[] = [];
      for await (const ref of kubo.refs(block.cid, { recursive: true })) via.push(ref.ref);
      assert.deepEqual(via, [previous.cid.toString()]);
    } finally {
      for (const cid of [block.cid, previous.cid]) await kubo.pin.rm(cid).catch(() => {});
    }
  });
});

describe('kubo block store against a faulty node', () => {
  test('every call fails with BlockStoreTimeoutError after the timeout', async () => {
    const sockets = new Set<Socket>();
    const server: Server = createServer((socket) => {
      // Reads the request and never answers.
      sockets.add(socket);
      socket.on('data', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    after(() => {
      for (const socket of sockets) socket.destroy();
      server.close();
    });
    const { port } = server.address() as { port: number };
    const store = createKuboBlockStore(`http://127.0.0.1:${port}`, { timeoutMs: 300 });
    const block = snapshotBlock();
    for (const call of [
      () => store.put(block.cid, block.bytes),
      () => store.get(block.cid),
      () => store.has(block.cid),
    ]) {
      const started = performance.now();
      await assert.rejects(call(), (error: unknown) => {
        assert.ok(error instanceof BlockStoreTimeoutError, String(error));
        assert.match(error.message, /within 300 ms/);
        return true;
      });
      const elapsed = performance.now() - started;
      assert.ok(elapsed >= 250 && elapsed < 5000, `${elapsed.toFixed(0)} ms`);
    }
  });

  test('a node that names the block with another CID: put fails and drops that pin', async () => {
    const other = snapshotBlock();
    const calls: string[] = [];
    const server = createHttpServer((request, response) => {
      calls.push(request.url ?? '');
      request.resume();
      request.on('end', () => {
        response.setHeader('content-type', 'application/json');
        if (request.url?.startsWith('/api/v0/block/put'))
          response.end(JSON.stringify({ Key: other.cid.toString(), Size: 1 }));
        else response.end(JSON.stringify({ Pins: [other.cid.toString()] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    after(() => server.close());
    const { port } = server.address() as { port: number };
    const store = createKuboBlockStore(`http://127.0.0.1:${port}`, { timeoutMs: 5000 });
    const block = snapshotBlock();
    await assert.rejects(store.put(block.cid, block.bytes), (error: unknown) => {
      assert.ok(error instanceof InvalidBlockError, String(error));
      assert.match(error.message, new RegExp(`Kubo stored the bytes as ${other.cid}`));
      return true;
    });
    assert.match(calls[0]!, /block\/put\?.*cid-codec=dag-json.*mhtype=sha2-256.*pin=true/);
    assert.match(calls[1]!, new RegExp(`pin/rm\\?.*arg=${other.cid}`));
  });
});
