// An epoch: the snapshots of every room that changed in one anchoring interval, the Merkle root
// over their (room id, snapshot CID) leaves (what goes on chain), and a link to the previous
// epoch. Pure: no I/O.
//
// The rooms are listed in leaf order, sorted by room id (UTF-8 byte order), so anyone holding the
// document can rebuild the tree and every inclusion proof. A document whose root does not match
// its own rooms is rejected, on building and on decoding alike.
import type { CID } from 'multiformats/cid';
import { buildMerkleTree, type MerkleLeaf, type MerkleTree } from './merkle-tree.ts';
import { Checker, compareUtf8, decodeCanonical } from './snapshot-document.ts';

export const EPOCH_TYPE = 'cairn.anchor-epoch';

export interface EpochRoom {
  readonly roomId: string;
  /** The room's snapshot in this epoch (a dag-json block). */
  readonly snapshot: CID;
}

export interface EpochDocument {
  readonly type: typeof EPOCH_TYPE;
  readonly v: 1;
  readonly epoch: number;
  /** The previous epoch's document, or null for the first. */
  readonly previous: CID | null;
  /** 0x + 64 lowercase hex digits: the root over `epochLeaves(document)`. */
  readonly merkleRoot: string;
  /** Sorted by room id, no duplicates, at least one. */
  readonly rooms: readonly EpochRoom[];
  /** Milliseconds since the Unix epoch. */
  readonly createdAt: number;
}

export type EpochDocumentInput = Omit<EpochDocument, 'type' | 'v'>;

/** Builds an epoch document: checks every field, sorts the rooms, checks the root against them. */
export function epochDocument(input: EpochDocumentInput): EpochDocument {
  const check = new Checker('epoch document');
  const rooms = check.array(input.rooms, 'rooms').map((room, i) => {
    const fields = check.record(room, `rooms[${i}]`);
    return {
      roomId: check.sigilString(fields.roomId, '!', `rooms[${i}].roomId`),
      snapshot: check.link(fields.snapshot, `rooms[${i}].snapshot`),
    };
  });
  rooms.sort((a, b) => compareUtf8(a.roomId, b.roomId));
  const root = input.merkleRoot;
  return checkEpoch(
    {
      type: EPOCH_TYPE,
      v: 1,
      epoch: input.epoch,
      previous: input.previous,
      merkleRoot: typeof root === 'string' ? root.toLowerCase() : root,
      rooms,
      createdAt: input.createdAt,
    },
    check,
  );
}

/** Decodes and validates an epoch block's bytes. Throws InvalidDocumentError. */
export function decodeEpoch(bytes: Uint8Array): EpochDocument {
  const check = new Checker('epoch document');
  return checkEpoch(decodeCanonical(bytes, check), check);
}

/** The Merkle leaves of an epoch, in tree order. */
export function epochLeaves(document: Pick<EpochDocument, 'rooms'>): MerkleLeaf[] {
  return document.rooms.map((room) => ({ roomId: room.roomId, cid: room.snapshot.toString() }));
}

/** The epoch's tree, for proofs: `tree.proof(i)` proves `document.rooms[i]`. */
export function epochTree(document: Pick<EpochDocument, 'rooms'>): MerkleTree {
  return buildMerkleTree(epochLeaves(document));
}

function checkEpoch(value: unknown, check: Checker): EpochDocument {
  const doc = check.record(value, 'document');
  check.tag(doc, EPOCH_TYPE);
  check.exactKeys(doc, ['type', 'v', 'epoch', 'previous', 'merkleRoot', 'rooms', 'createdAt']);
  const rooms = check.array(doc.rooms, 'rooms').map((room, i) => {
    const at = `rooms[${i}]`;
    const fields = check.record(room, at);
    check.exactKeys(fields, ['roomId', 'snapshot'], at);
    return {
      roomId: check.sigilString(fields.roomId, '!', `${at}.roomId`),
      snapshot: check.link(fields.snapshot, `${at}.snapshot`),
    };
  });
  if (rooms.length === 0) check.fail('rooms must not be empty');
  check.sortedUnique(
    rooms.map((room) => room.roomId),
    'rooms',
  );
  const merkleRoot = doc.merkleRoot;
  if (typeof merkleRoot !== 'string' || !/^0x[0-9a-f]{64}$/.test(merkleRoot))
    check.fail('merkleRoot must be 0x and 64 lowercase hex digits');
  const actual = epochTree({ rooms }).root;
  if (actual !== merkleRoot)
    check.fail(`merkleRoot ${merkleRoot} is not the root of its rooms (${actual})`);
  return {
    type: EPOCH_TYPE,
    v: 1,
    epoch: check.count(doc.epoch, 'epoch'),
    previous: check.optionalLink(doc.previous, 'previous'),
    merkleRoot,
    rooms,
    createdAt: check.count(doc.createdAt, 'createdAt'),
  };
}
