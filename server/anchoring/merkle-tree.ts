// The Merkle tree over an epoch's (room id, snapshot CID) leaves: one root goes on chain for any
// number of rooms, and each room gets a proof of a few hashes. Pure: no I/O.
//
// Hashing follows OpenZeppelin, so a Solidity contract can check a proof with MerkleProof.verify:
//   leaf = keccak256(bytes.concat(keccak256(abi.encode(string roomId, string cid))))
//   node = keccak256(min(a, b) ++ max(a, b))      (a sorted pair: proofs need no left/right bits)
// The leaf is hashed twice so that no leaf can pass for an inner node (64 bytes of two hashes),
// which would let a proof stop half-way. A level of odd length promotes its last node unchanged;
// the proof then has no sibling for that level, which the sorted-pair verifier does not notice.
import { isHexString, keccak256 } from 'ethers';

export interface MerkleLeaf {
  readonly roomId: string;
  /** The snapshot's CID as a string (CIDv1, base32: `CID.toString()`). */
  readonly cid: string;
}

export interface MerkleTree {
  /** 0x-prefixed, lowercase, 32 bytes. */
  readonly root: string;
  readonly leafCount: number;
  leafHash(index: number): string;
  /** Sibling hashes from the leaf up, 0x hex; empty for a tree of one leaf. */
  proof(index: number): string[];
}

/** Builds every level once: n - 1 pair hashes; each proof after that is O(log n). */
export function buildMerkleTree(leaves: readonly MerkleLeaf[]): MerkleTree {
  if (leaves.length === 0) throw new RangeError('A Merkle tree needs at least one leaf');
  const levels: Uint8Array[][] = [leaves.map(leafHashBytes)];
  for (let level = levels[0]!; level.length > 1; ) {
    const up: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const right = level[i + 1];
      up.push(right === undefined ? level[i]! : hashPair(level[i]!, right));
    }
    levels.push(up);
    level = up;
  }
  const checkIndex = (index: number) => {
    if (!Number.isInteger(index) || index < 0 || index >= leaves.length)
      throw new RangeError(`No leaf ${index} in a tree of ${leaves.length}`);
  };
  return {
    root: toHex(levels.at(-1)![0]!),
    leafCount: leaves.length,
    leafHash(index) {
      checkIndex(index);
      return toHex(levels[0]![index]!);
    },
    proof(index) {
      checkIndex(index);
      const proof: string[] = [];
      let at = index;
      for (const level of levels.slice(0, -1)) {
        const sibling = level[at ^ 1];
        if (sibling !== undefined) proof.push(toHex(sibling));
        at >>= 1;
      }
      return proof;
    },
  };
}

export function merkleRoot(leaves: readonly MerkleLeaf[]): string {
  return buildMerkleTree(leaves).root;
}

/** One proof; for many proofs of the same leaves, build the tree once with buildMerkleTree. */
export function inclusionProof(leaves: readonly MerkleLeaf[], index: number): string[] {
  return buildMerkleTree(leaves).proof(index);
}

/** False (never a throw) for a wrong or malformed root or proof: proofs may come from elsewhere. */
export function verifyInclusion(root: string, leaf: MerkleLeaf, proof: readonly string[]): boolean {
  if (!isHash(root) || !proof.every(isHash)) return false;
  let computed = leafHashBytes(leaf);
  for (const sibling of proof) computed = hashPair(computed, fromHex(sibling));
  return toHex(computed) === root.toLowerCase();
}

export function leafHash(leaf: MerkleLeaf): string {
  return toHex(leafHashBytes(leaf));
}

function leafHashBytes(leaf: MerkleLeaf): Uint8Array {
  return keccakBytes(keccakBytes(abiEncodeTwoStrings(leaf.roomId, leaf.cid)));
}

/**
 * `abi.encode(string a, string b)`, byte for byte as ethers' AbiCoder gives it (the tests compare
 * the two), written out because AbiCoder takes about 100 µs a call: most of a 1,000-leaf tree.
 * Layout: two head words holding each string's offset, then per string its byte length as a
 * word and its UTF-8 bytes zero-padded to a whole number of words.
 */
export function abiEncodeTwoStrings(a: string, b: string): Uint8Array {
  const first = Buffer.from(a, 'utf8');
  const second = Buffer.from(b, 'utf8');
  const padded = (length: number) => Math.ceil(length / 32) * 32;
  const secondAt = 64 + 32 + padded(first.length);
  const out = new Uint8Array(secondAt + 32 + padded(second.length));
  const view = new DataView(out.buffer);
  // The words are uint256, big-endian; every value here fits in their last 4 bytes.
  view.setUint32(28, 64);
  view.setUint32(60, secondAt);
  view.setUint32(64 + 28, first.length);
  out.set(first, 96);
  view.setUint32(secondAt + 28, second.length);
  out.set(second, secondAt + 32);
  return out;
}

function hashPair(a: Uint8Array, b: Uint8Array): Uint8Array {
  const pair = new Uint8Array(64);
  const [low, high] = Buffer.compare(a, b) <= 0 ? [a, b] : [b, a];
  pair.set(low, 0);
  pair.set(high, 32);
  return keccakBytes(pair);
}

// ethers speaks hex strings; Buffer's hex codec is several times faster than its helpers.
function keccakBytes(bytes: Uint8Array): Uint8Array {
  return fromHex(keccak256(bytes));
}

function fromHex(hash: string): Uint8Array {
  return Buffer.from(hash.slice(2), 'hex');
}

function toHex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}

function isHash(value: unknown): value is string {
  return typeof value === 'string' && isHexString(value, 32);
}
