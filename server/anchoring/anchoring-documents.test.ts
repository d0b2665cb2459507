// Snapshot and epoch documents: what they encode to, that their CIDs do not depend on how the
// input was written, and that decoding refuses anything we would not have produced.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import * as dagJson from '@ipld/dag-json';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import {
  decodeEpoch,
  type EpochDocumentInput,
  epochDocument,
  epochLeaves,
  epochTree,
} from './epoch-document.ts';
import { merkleRoot, verifyInclusion } from './merkle-tree.ts';
import {
  compareUtf8,
  decodeSnapshot,
  encodeBlock,
  InvalidDocumentError,
  type RoomSnapshotInput,
  roomSnapshot,
} from './snapshot-document.ts';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytesOf = (json: string) => new TextEncoder().encode(json);

const FIRST = encodeBlock({ any: 'document' }).cid;
const SECOND = encodeBlock({ any: 'other document' }).cid;

function snapshotInput(overrides: Partial<RoomSnapshotInput> = {}): RoomSnapshotInput {
  return {
    roomId: '!room:example.org',
    roomVersion: '11',
    heads: [
      { eventId: '$zeta', depth: 12 },
      { eventId: '$alpha', depth: 11 },
    ],
    streamPosition: 120,
    previous: FIRST,
    epoch: 3,
    ...overrides,
  };
}

function epochInput(overrides: Partial<EpochDocumentInput> = {}): EpochDocumentInput {
  const rooms = overrides.rooms ?? [
    { roomId: '!b:example.org', snapshot: SECOND },
    { roomId: '!a:example.org', snapshot: FIRST },
  ];
  const sorted = [...rooms].sort((a, b) => compareUtf8(a.roomId, b.roomId));
  return {
    epoch: 4,
    previous: FIRST,
    merkleRoot:
      sorted.length > 0 ? merkleRoot(epochLeaves({ rooms: sorted })) : `0x${'0'.repeat(64)}`,
    rooms,
    createdAt: 1_700_000_000_000,
    ...overrides,
  };
}

/** A snapshot document's JSON with one change, encoded as dag-json would (canonically). */
function snapshotBytesWith(change: (doc: Record<string, unknown>) => void): Uint8Array {
  const doc = { ...roomSnapshot(snapshotInput()) } as Record<string, unknown>;
  change(doc);
  return dagJson.encode(doc);
}

describe('room snapshot', () => {
  test('encodes to canonical dag-json with sorted heads and a link to the previous snapshot', () => {
    const block = encodeBlock(roomSnapshot(snapshotInput()));
    assert.equal(
      text(block.bytes),
      `{"epoch":3,"heads":[{"depth":11,"eventId":"$alpha"},{"depth":12,"eventId":"$zeta"}],` +
        `"previous":{"/":"${FIRST}"},"roomId":"!room:example.org","roomVersion":"11",` +
        `"streamPosition":120,"type":"cairn.room-snapshot","v":1}`,
    );
    assert.equal(block.cid.version, 1);
    assert.equal(block.cid.code, dagJson.code);
    assert.equal(block.cid.multihash.code, sha256.code);
    const digest = createHash('sha256').update(block.bytes).digest();
    assert.deepEqual(Buffer.from(block.cid.multihash.digest), digest);
  });

  test('round trip: decode gives the document back, links as CIDs', () => {
    for (const previous of [FIRST, null]) {
      const doc = roomSnapshot(snapshotInput({ previous }));
      const decoded = decodeSnapshot(encodeBlock(doc).bytes);
      assert.equal(decoded.previous?.toString(), previous?.toString());
      if (previous) assert.ok(decoded.previous?.equals(previous));
      assert.deepEqual({ ...decoded, previous: null }, { ...doc, previous: null });
    }
  });

  test('the CID does not depend on key order or head order in the input', () => {
    const a = encodeBlock(roomSnapshot(snapshotInput()));
    const reordered: RoomSnapshotInput = {
      epoch: 3,
      previous: FIRST,
      streamPosition: 120,
      heads: [
        { depth: 11, eventId: '$alpha' },
        { depth: 12, eventId: '$zeta' },
      ],
      roomVersion: '11',
      roomId: '!room:example.org',
    };
    const b = encodeBlock(roomSnapshot(reordered));
    assert.ok(a.cid.equals(b.cid));
    assert.deepEqual(a.bytes, b.bytes);
    // Any other change does change it.
    const c = encodeBlock(roomSnapshot(snapshotInput({ streamPosition: 121 })));
    assert.ok(!a.cid.equals(c.cid));
  });

  test('heads are sorted by UTF-8 bytes, not UTF-16 units', () => {
    // U+FFFD sorts after U+1F600's high surrogate in UTF-16, before it in UTF-8.
    const doc = roomSnapshot(
      snapshotInput({
        heads: [
          { eventId: '$\u{1F600}', depth: 1 },
          { eventId: '$\uFFFD', depth: 1 },
        ],
      }),
    );
    assert.deepEqual(
      doc.heads.map((head) => head.eventId),
      ['$\uFFFD', '$\u{1F600}'],
    );
    assert.ok('$\u{1F600}' < '$\uFFFD', 'the case must differ between the two orders');
    decodeSnapshot(encodeBlock(doc).bytes);
  });

  const badInputs: [string, Partial<RoomSnapshotInput>, RegExp][] = [
    ['no heads', { heads: [] }, /heads must not be empty/],
    [
      'a head twice',
      {
        heads: [
          { eventId: '$a', depth: 1 },
          { eventId: '$a', depth: 2 },
        ],
      },
      /lists \$a twice/,
    ],
    ['a negative depth', { heads: [{ eventId: '$a', depth: -1 }] }, /heads\[0\]\.depth/],
    ['a fractional depth', { heads: [{ eventId: '$a', depth: 1.5 }] }, /heads\[0\]\.depth/],
    ['an event id without $', { heads: [{ eventId: 'a', depth: 1 }] }, /heads\[0\]\.eventId/],
    ['a room id without !', { roomId: 'room:example.org' }, /roomId must be a string/],
    ['an empty room version', { roomVersion: '' }, /roomVersion/],
    ['an unsafe stream position', { streamPosition: 2 ** 53 }, /streamPosition/],
    ['a negative epoch', { epoch: -1 }, /epoch must be/],
    ['a raw CID as previous', { previous: CID.create(1, raw.code, FIRST.multihash) }, /previous/],
    ['a string as previous', { previous: FIRST.toString() as unknown as CID }, /previous/],
  ];
  for (const [name, change, message] of badInputs) {
    test(`building refuses ${name}`, () => {
      assert.throws(
        () => roomSnapshot(snapshotInput(change)),
        (error: unknown) => {
          assert.ok(error instanceof InvalidDocumentError);
          assert.match(error.message, /^Invalid room snapshot: /);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }

  const badBytes: [string, Uint8Array, RegExp][] = [
    ['bytes that are not JSON', bytesOf('{"type":'), /not dag-json/],
    ['a list', bytesOf('[1,2]'), /document must be a map/],
    ['another type', snapshotBytesWith((d) => (d.type = 'cairn.anchor-epoch')), /type is/],
    ['version 2', snapshotBytesWith((d) => (d.v = 2)), /version 2 is not supported/],
    ['a missing field', snapshotBytesWith((d) => delete d.epoch), /lacks epoch/],
    ['an unknown field', snapshotBytesWith((d) => (d.extra = 1)), /unknown field "extra"/],
    [
      'unsorted heads',
      snapshotBytesWith((d) => (d.heads = [...(d.heads as unknown[])].reverse())),
      /not sorted/,
    ],
    [
      'an unknown field in a head',
      snapshotBytesWith((d) => (d.heads = [{ eventId: '$a', depth: 1, x: 1 }])),
      /heads\[0\] has an unknown field/,
    ],
    [
      'a depth beyond 2^53',
      bytesOf(text(snapshotBytesWith(() => {})).replace('"depth":11', '"depth":90071992547409930')),
      /heads\[0\]\.depth/,
    ],
    [
      'a float written as 12.0',
      bytesOf(text(snapshotBytesWith(() => {})).replace('"depth":12', '"depth":12.0')),
      /canonical/,
    ],
    ['whitespace', bytesOf(` ${text(snapshotBytesWith(() => {}))}`), /canonical/],
    [
      'keys out of order',
      bytesOf(
        text(snapshotBytesWith(() => {}))
          .replace('{"epoch":3,', '{')
          .replace('}', ',"epoch":3}'),
      ),
      /canonical/,
    ],
  ];
  for (const [name, bytes, message] of badBytes) {
    test(`decoding refuses ${name}`, () => {
      assert.throws(
        () => decodeSnapshot(bytes),
        (error: unknown) => {
          assert.ok(error instanceof InvalidDocumentError, String(error));
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }

  test('the canonical bytes used to build the bad cases do decode', () => {
    assert.equal(decodeSnapshot(snapshotBytesWith(() => {})).epoch, 3);
  });
});

describe('epoch document', () => {
  test('rooms sorted by room id, root checked, round trip', () => {
    const doc = epochDocument(epochInput());
    assert.deepEqual(
      doc.rooms.map((room) => room.roomId),
      ['!a:example.org', '!b:example.org'],
    );
    const block = encodeBlock(doc);
    assert.match(text(block.bytes), /^\{"createdAt":1700000000000,"epoch":4,"merkleRoot":"0x/);
    const decoded = decodeEpoch(block.bytes);
    assert.equal(decoded.merkleRoot, doc.merkleRoot);
    assert.deepEqual(
      decoded.rooms.map((room) => [room.roomId, room.snapshot.toString()]),
      doc.rooms.map((room) => [room.roomId, room.snapshot.toString()]),
    );
    assert.ok(decoded.previous?.equals(FIRST));
    assert.ok(encodeBlock(decoded).cid.equals(block.cid));
  });

  test('the CID does not depend on room order or key order', () => {
    const a = encodeBlock(epochDocument(epochInput()));
    const input = epochInput();
    const b = encodeBlock(
      epochDocument({
        createdAt: input.createdAt,
        rooms: [...input.rooms]
          .reverse()
          .map((room) => ({ snapshot: room.snapshot, roomId: room.roomId })),
        merkleRoot: input.merkleRoot.toUpperCase().replace('0X', '0x'),
        previous: input.previous,
        epoch: input.epoch,
      }),
    );
    assert.ok(a.cid.equals(b.cid));
  });

  test('every room has an inclusion proof against the document root', () => {
    const rooms = Array.from({ length: 37 }, (_, i) => ({
      roomId: `!room${i}:example.org`,
      snapshot: encodeBlock({ room: i }).cid,
    }));
    const doc = decodeEpoch(encodeBlock(epochDocument(epochInput({ rooms }))).bytes);
    const tree = epochTree(doc);
    const leaves = epochLeaves(doc);
    assert.equal(tree.root, doc.merkleRoot);
    doc.rooms.forEach((room, i) => {
      assert.equal(leaves[i]?.cid, room.snapshot.toString());
      assert.ok(verifyInclusion(doc.merkleRoot, leaves[i]!, tree.proof(i)));
    });
  });

  test('building refuses a root that is not the root of the rooms', () => {
    const wrong = merkleRoot([{ roomId: '!a:example.org', cid: SECOND.toString() }]);
    assert.throws(
      () => epochDocument(epochInput({ merkleRoot: wrong })),
      /Invalid epoch document: merkleRoot 0x[0-9a-f]{64} is not the root of its rooms/,
    );
  });

  const badInputs: [string, Partial<EpochDocumentInput>, RegExp][] = [
    ['no rooms', { rooms: [] }, /rooms must not be empty/],
    [
      'a room twice',
      {
        rooms: [
          { roomId: '!a:x', snapshot: FIRST },
          { roomId: '!a:x', snapshot: SECOND },
        ],
      },
      /lists !a:x twice/,
    ],
    ['a root that is not hex', { merkleRoot: '0x1234' }, /merkleRoot must be/],
    ['a fractional createdAt', { createdAt: 1.5 }, /createdAt/],
    ['a room id without !', { rooms: [{ roomId: 'a:x', snapshot: FIRST }] }, /rooms\[0\]\.roomId/],
    [
      'a snapshot that is not a CID',
      { rooms: [{ roomId: '!a:x', snapshot: 'bafy' as unknown as CID }] },
      /rooms\[0\]\.snapshot/,
    ],
  ];
  for (const [name, change, message] of badInputs) {
    test(`building refuses ${name}`, () => {
      assert.throws(
        () => epochDocument(epochInput(change)),
        (error: unknown) => {
          assert.ok(error instanceof InvalidDocumentError, String(error));
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }

  test('decoding refuses a root in capitals, a tampered room, or a snapshot document', () => {
    const good = text(encodeBlock(epochDocument(epochInput())).bytes);
    const root = /"merkleRoot":"(0x[0-9a-f]{64})"/.exec(good)?.[1] as string;
    const capitals = good.replace(root, `0x${root.slice(2).toUpperCase()}`);
    assert.throws(() => decodeEpoch(bytesOf(capitals)), /merkleRoot must be 0x and 64 lowercase/);
    // Another snapshot for room !b: the root no longer matches.
    const tampered = good.replace(SECOND.toString(), encodeBlock({ forged: true }).cid.toString());
    assert.notEqual(tampered, good);
    assert.throws(() => decodeEpoch(bytesOf(tampered)), /is not the root of its rooms/);
    const snapshot = encodeBlock(roomSnapshot(snapshotInput())).bytes;
    assert.throws(() => decodeEpoch(snapshot), /type is "cairn.room-snapshot"/);
    assert.throws(() => decodeSnapshot(bytesOf(good)), /type is "cairn.anchor-epoch"/);
  });
});
