// The same cases against every blob store: the local directory always, Kubo when
// CAIRN_TEST_IPFS_API points at a node (`bash .ci/kubo.sh start DIR PORT` prints it). CIDs are
// checked against unixfsCid() and, with CAIRN_TEST_IPFS_BIN, against `ipfs add --only-hash`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { create } from 'kubo-rpc-client';
import {
  BlobNotFoundError,
  type BlobStore,
  BlobTooLargeError,
  type ByteRange,
} from './blob-store.ts';
import { createKuboBlobStore } from './kubo-blob-store.ts';
import { createLocalBlobStore } from './local-blob-store.ts';
import { UNIXFS_IMPORT, unixfsCid } from './unixfs-cid.ts';

const KUBO_API = process.env.CAIRN_TEST_IPFS_API || undefined;
const IPFS_BIN = process.env.CAIRN_TEST_IPFS_BIN || undefined;
const MiB = 1024 * 1024;
const CHUNK = UNIXFS_IMPORT.chunkSize;
const UNKNOWN_CID = await unixfsCid([Buffer.from('cairn: bytes no test stores')]);

/** Bytes in pieces that do not line up with the chunker, as an upload arrives. */
async function* pieces(data: Uint8Array, size = 65_537): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

async function readAll(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of source) parts.push(part);
  return Buffer.concat(parts);
}

async function assertNotFound(store: BlobStore, cid: string, range?: ByteRange): Promise<void> {
  await assert.rejects(readAll(store.get(cid, range)), BlobNotFoundError);
}

async function filesUnder(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

interface StoreUnderTest {
  store: BlobStore;
  /** What the backend holds besides the interface: files (local) or recursive pins (Kubo). */
  stored(): Promise<string[]>;
  /** Uploads in progress (local temp files); Kubo has none to see. */
  temporary(): Promise<string[]>;
  cleanup(): Promise<void>;
}

const KINDS: { kind: 'local' | 'kubo'; skip: string | false; open(): Promise<StoreUnderTest> }[] = [
  {
    kind: 'local',
    skip: false,
    async open() {
      const dir = await mkdtemp(join(tmpdir(), 'cairn-blobs-'));
      return {
        store: createLocalBlobStore(dir),
        stored: () => filesUnder(join(dir, 'blobs')),
        temporary: () => filesUnder(join(dir, 'tmp')),
        cleanup: () => rm(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    kind: 'kubo',
    skip: KUBO_API === undefined ? 'CAIRN_TEST_IPFS_API is not set' : false,
    async open() {
      const kubo = create({ url: KUBO_API });
      const store = createKuboBlobStore(KUBO_API as string);
      const pinsAtStart = new Set(await recursivePins(kubo));
      return {
        store,
        stored: async () => (await recursivePins(kubo)).filter((cid) => !pinsAtStart.has(cid)),
        temporary: async () => [],
        cleanup: async () => {
          for (const cid of await recursivePins(kubo))
            if (!pinsAtStart.has(cid)) await store.remove(cid);
        },
      };
    },
  },
];

async function recursivePins(kubo: ReturnType<typeof create>): Promise<string[]> {
  const cids: string[] = [];
  for await (const pin of kubo.pin.ls({ type: 'recursive' })) cids.push(pin.cid.toV1().toString());
  return cids.sort();
}

test('a Kubo node is given when CAIRN_TEST_REQUIRE_IPFS=true', () => {
  if (process.env.CAIRN_TEST_REQUIRE_IPFS === 'true') {
    assert.ok(KUBO_API, 'CAIRN_TEST_REQUIRE_IPFS=true but CAIRN_TEST_IPFS_API is not set');
  }
});

for (const { kind, skip, open } of KINDS) {
  describe(`${kind} blob store`, { skip }, () => {
    async function withStore(body: (t: StoreUnderTest) => Promise<void>): Promise<void> {
      const t = await open();
      try {
        await body(t);
      } finally {
        await t.cleanup();
      }
    }

    test('small content round-trips as one raw block', () =>
      withStore(async ({ store, stored }) => {
        const data = randomBytes(100_000);
        const blob = await store.put(pieces(data), { maxBytes: MiB });
        assert.equal(blob.size, data.length);
        assert.equal(blob.cid, await unixfsCid([data]));
        assert.match(blob.cid, /^bafkrei[a-z2-7]+$/, 'one chunk: a raw-codec CIDv1 in base32');
        assert.equal(await store.has(blob.cid), true);
        assert.deepEqual(await readAll(store.get(blob.cid)), data);
        assert.equal((await stored()).length, 1);
      }));

    test('multi-chunk content round-trips with the CID unixfsCid computes', () =>
      withStore(async ({ store }) => {
        const data = randomBytes(3_000_000);
        const blob = await store.put(pieces(data), { maxBytes: 3_000_000 });
        assert.equal(blob.size, data.length);
        assert.equal(blob.cid, await unixfsCid(pieces(data, 1000)));
        assert.match(blob.cid, /^bafybei[a-z2-7]+$/, 'several chunks: a dag-pb root');
        assert.deepEqual(await readAll(store.get(blob.cid)), data);
      }));

    test('empty content is the empty raw block', () =>
      withStore(async ({ store }) => {
        const blob = await store.put(pieces(new Uint8Array(0)), { maxBytes: 10 });
        assert.deepEqual(blob, {
          cid: 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku',
          size: 0,
        });
        assert.equal((await readAll(store.get(blob.cid))).length, 0);
      }));

    test('the same bytes twice: one CID, stored once, and one remove removes it', () =>
      withStore(async ({ store, stored, temporary }) => {
        const data = randomBytes(CHUNK + 10);
        const first = await store.put(pieces(data), { maxBytes: MiB });
        const second = await store.put(pieces(data, 4096), { maxBytes: MiB });
        assert.equal(second.cid, first.cid);
        assert.equal((await stored()).length, 1);
        assert.deepEqual(await temporary(), []);
        // Not reference counted: whoever maps several media ids to one CID counts them.
        await store.remove(first.cid);
        assert.equal(await store.has(first.cid), false);
      }));

    test('past maxBytes: BlobTooLargeError, the upload stops being read, nothing kept', () =>
      withStore(async ({ store, stored, temporary }) => {
        const data = randomBytes(3 * MiB);
        let read = 0;
        let closed = false;
        async function* upload(): AsyncGenerator<Uint8Array> {
          try {
            for await (const piece of pieces(data, 64 * 1024)) {
              read += piece.length;
              yield piece;
            }
          } finally {
            closed = true;
          }
        }
        await assert.rejects(store.put(upload(), { maxBytes: MiB }), (error) => {
          assert.ok(error instanceof BlobTooLargeError);
          assert.equal(error.maxBytes, MiB);
          return true;
        });
        assert.ok(read <= MiB + 64 * 1024, `read ${read} bytes of a ${MiB}-byte limit`);
        assert.equal(closed, true, 'the source was returned');
        // A late pin by Kubo would show up here.
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.deepEqual(await stored(), []);
        assert.deepEqual(await temporary(), []);
        assert.equal(await store.has(await unixfsCid([data])), false);
        assert.equal(await store.has(await unixfsCid([data.subarray(0, MiB)])), false);
        // Exactly maxBytes is allowed.
        const atLimit = await store.put(pieces(data.subarray(0, MiB)), { maxBytes: MiB });
        assert.equal(atLimit.size, MiB);
      }));

    test('a failing upload rejects with its own error and keeps nothing', () =>
      withStore(async ({ store, stored, temporary }) => {
        const broken = new Error('client went away');
        async function* upload(): AsyncGenerator<Uint8Array> {
          yield* pieces(randomBytes(CHUNK * 2));
          throw broken;
        }
        await assert.rejects(store.put(upload(), { maxBytes: MiB }), (error) => error === broken);
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.deepEqual(await stored(), []);
        assert.deepEqual(await temporary(), []);
      }));

    test('byte ranges', () =>
      withStore(async ({ store }) => {
        const data = randomBytes(3 * CHUNK + 1234);
        const { cid } = await store.put(pieces(data), { maxBytes: MiB });
        const cases: [ByteRange, Uint8Array][] = [
          [{ offset: 0 }, data],
          [{ offset: 10, length: 100 }, data.subarray(10, 110)],
          [{ offset: CHUNK - 50, length: 100 }, data.subarray(CHUNK - 50, CHUNK + 50)],
          [{ offset: CHUNK + 7 }, data.subarray(CHUNK + 7)],
          [{ offset: data.length - 10, length: 100 }, data.subarray(data.length - 10)],
          [{ offset: data.length + 5 }, new Uint8Array(0)],
          [{ offset: 5, length: 0 }, new Uint8Array(0)],
        ];
        for (const [range, expected] of cases) {
          assert.deepEqual(
            await readAll(store.get(cid, range)),
            Buffer.from(expected),
            JSON.stringify(range),
          );
        }
      }));

    test('unknown and malformed CIDs are absent', () =>
      withStore(async ({ store }) => {
        for (const cid of [
          UNKNOWN_CID,
          'not-a-cid',
          '../../etc/passwd',
          UNKNOWN_CID.toUpperCase(),
        ]) {
          assert.equal(await store.has(cid), false, cid);
          await assertNotFound(store, cid);
          await assertNotFound(store, cid, { offset: 0, length: 0 });
          await store.remove(cid);
        }
      }));

    test('remove deletes, and removing again is fine', () =>
      withStore(async ({ store, stored }) => {
        const keep = await store.put(pieces(randomBytes(1000)), { maxBytes: MiB });
        const gone = await store.put(pieces(randomBytes(CHUNK * 2)), { maxBytes: MiB });
        await store.remove(gone.cid);
        assert.equal(await store.has(gone.cid), false);
        await assertNotFound(store, gone.cid);
        await store.remove(gone.cid);
        assert.equal(await store.has(keep.cid), true);
        assert.equal((await stored()).length, 1);
      }));
  });
}

test('the local store and Kubo give the same CID for the same bytes', {
  skip: KINDS[1]?.skip,
}, async () => {
  const [local, kubo] = await Promise.all(KINDS.map((kind) => kind.open()));
  assert.ok(local && kubo);
  try {
    const data = randomBytes(2 * MiB + 3);
    const a = await local.store.put(pieces(data), { maxBytes: 3 * MiB });
    const b = await kubo.store.put(pieces(data), { maxBytes: 3 * MiB });
    assert.equal(a.cid, b.cid);
    assert.equal(a.cid, await unixfsCid([data]));
  } finally {
    await local.cleanup();
    await kubo.cleanup();
  }
});

// An independent computation: the Go implementation, with its own flags, no shared settings.
test('unixfsCid agrees with `ipfs add --only-hash`', {
  skip: IPFS_BIN ? false : 'CAIRN_TEST_IPFS_BIN is not set',
}, async () => {
  const repo = await mkdtemp(join(tmpdir(), 'cairn-ipfs-repo-'));
  const env = { ...process.env, IPFS_PATH: repo, IPFS_TELEMETRY: 'off' };
  try {
    execFileSync(IPFS_BIN as string, ['init', '--profile=test', '--empty-repo'], {
      env,
      stdio: 'ignore',
    });
    const sizes = [0, 1, 1000, CHUNK, CHUNK + 1, 3_000_000, 174 * CHUNK, 174 * CHUNK + 1];
    for (const size of sizes) {
      const data = randomBytes(size);
      const args = [
        'add',
        '--offline',
        '--only-hash',
        '-Q',
        '--cid-version=1',
        '--raw-leaves',
        '--chunker=size-262144',
      ];
      const expected = execFileSync(IPFS_BIN as string, args, { env, input: data, maxBuffer: MiB })
        .toString()
        .trim();
      assert.equal(await unixfsCid(pieces(data)), expected, `${size} bytes`);
    }
  } finally {
    await rm(repo, { recursive: true, force: true });
  }
});
