// The epoch Merkle tree against a plain reference written here with ethers (AbiCoder, keccak256,
// hex strings), the OpenZeppelin hashing a Solidity verifier would use, and proofs for trees of
// every shape from 1 to 17 leaves and of 1,000.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AbiCoder, concat, keccak256 } from 'ethers';
import fc from 'fast-check';
import {
  abiEncodeTwoStrings,
  buildMerkleTree,
  inclusionProof,
  leafHash,
  type MerkleLeaf,
  merkleRoot,
  verifyInclusion,
} from './merkle-tree.ts';

const abi = AbiCoder.defaultAbiCoder();

function leavesOf(count: number): MerkleLeaf[] {
  return Array.from({ length: count }, (_, i) => ({
    roomId: `!room${i}:example.org`,
    cid: `bagu${String(i).padStart(55, 'q')}`,
  }));
}

// The reference: Solidity's keccak256(bytes.concat(keccak256(abi.encode(roomId, cid)))) ...
function referenceLeaf(leaf: MerkleLeaf): string {
  return keccak256(concat([keccak256(abi.encode(['string', 'string'], [leaf.roomId, leaf.cid]))]));
}

// ... OpenZeppelin's commutative pair hash ...
function referencePair(a: string, b: string): string {
  return BigInt(a) < BigInt(b) ? keccak256(concat([a, b])) : keccak256(concat([b, a]));
}

// ... and a tree built top-down: the left part is the largest power of two below the count,
// which gives the same shape as pairing level by level and promoting an odd last node.
function referenceRoot(hashes: string[]): string {
  if (hashes.length === 1) return hashes[0]!;
  let split = 1;
  while (split * 2 < hashes.length) split *= 2;
  return referencePair(referenceRoot(hashes.slice(0, split)), referenceRoot(hashes.slice(split)));
}

/** Flips the lowest bit of a 0x hash. */
function flip(hash: string): string {
  const last = Number.parseInt(hash.slice(-1), 16) ^ 1;
  return hash.slice(0, -1) + last.toString(16);
}

describe('merkle tree', () => {
  test('a leaf hash is OpenZeppelin’s double-hashed abi.encode(string, string)', () => {
    const leaf = { roomId: '!a:example.org', cid: 'bagu' };
    assert.equal(leafHash(leaf), referenceLeaf(leaf));
  });

  test('abi.encode(string, string) written out agrees with ethers’ AbiCoder', () => {
    const edges = ['', 'x', 'a'.repeat(31), 'a'.repeat(32), 'a'.repeat(33), 'é😀', '\0'];
    for (const a of edges)
      for (const b of edges)
        assert.equal(
          Buffer.from(abiEncodeTwoStrings(a, b)).toString('hex'),
          abi.encode(['string', 'string'], [a, b]).slice(2),
        );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), fc.string(), (a, b) => {
        assert.equal(
          Buffer.from(abiEncodeTwoStrings(a, b)).toString('hex'),
          abi.encode(['string', 'string'], [a, b]).slice(2),
        );
      }),
      { numRuns: 300 },
    );
  });

  test('a two-leaf root computed by hand with ethers', () => {
    const [a, b] = leavesOf(2) as [MerkleLeaf, MerkleLeaf];
    const hashA = keccak256(keccak256(abi.encode(['string', 'string'], [a.roomId, a.cid])));
    const hashB = keccak256(keccak256(abi.encode(['string', 'string'], [b.roomId, b.cid])));
    const [low, high] = BigInt(hashA) < BigInt(hashB) ? [hashA, hashB] : [hashB, hashA];
    const root = keccak256(concat([low, high]));
    assert.equal(merkleRoot([a, b]), root);
    assert.equal(merkleRoot([b, a]), root, 'sorted pairs: the order of two leaves does not matter');
    assert.deepEqual(inclusionProof([a, b], 0), [hashB]);
    assert.deepEqual(inclusionProof([a, b], 1), [hashA]);
  });

  test('one leaf: the root is its hash and the proof is empty', () => {
    const [leaf] = leavesOf(1) as [MerkleLeaf];
    assert.equal(merkleRoot([leaf]), referenceLeaf(leaf));
    assert.deepEqual(inclusionProof([leaf], 0), []);
    assert.ok(verifyInclusion(merkleRoot([leaf]), leaf, []));
    assert.ok(!verifyInclusion(merkleRoot([leaf]), { ...leaf, cid: 'other' }, []));
  });

  test('three leaves: the odd one is promoted, its proof has one hash', () => {
    const leaves = leavesOf(3);
    const [h0, h1, h2] = leaves.map(referenceLeaf) as [string, string, string];
    assert.equal(merkleRoot(leaves), referencePair(referencePair(h0, h1), h2));
    assert.deepEqual(inclusionProof(leaves, 2), [referencePair(h0, h1)]);
    assert.deepEqual(inclusionProof(leaves, 0), [h1, h2]);
  });

  for (const count of [...Array.from({ length: 17 }, (_, i) => i + 1), 1000]) {
    test(`${count} leaves: root as the reference, every proof verifies, tampering fails`, () => {
      const leaves = leavesOf(count);
      const tree = buildMerkleTree(leaves);
      assert.equal(tree.root, referenceRoot(leaves.map(referenceLeaf)));
      assert.equal(tree.leafCount, count);
      const wrongRoot = flip(tree.root);
      const depth = Math.ceil(Math.log2(count));
      leaves.forEach((leaf, i) => {
        const proof = tree.proof(i);
        assert.ok(proof.length <= depth, `proof ${i} has ${proof.length} hashes`);
        assert.equal(tree.leafHash(i), referenceLeaf(leaf));
        assert.ok(verifyInclusion(tree.root, leaf, proof), `proof of leaf ${i}`);
        // A large tree is spot-checked for the failing cases; they cost as much as the proof.
        if (count > 17 && i % 97 !== 0) return;
        assert.ok(!verifyInclusion(wrongRoot, leaf, proof), 'wrong root');
        assert.ok(!verifyInclusion(tree.root, { ...leaf, roomId: `${leaf.roomId}x` }, proof));
        assert.ok(!verifyInclusion(tree.root, { ...leaf, cid: `${leaf.cid}x` }, proof));
        if (count > 1) {
          const other = leaves[(i + 1) % count]!;
          assert.ok(!verifyInclusion(tree.root, other, proof), 'another leaf with this proof');
        }
        for (let j = 0; j < proof.length; j++) {
          const changed = proof.with(j, flip(proof[j]!));
          assert.ok(!verifyInclusion(tree.root, leaf, changed), `proof hash ${j} changed`);
        }
        if (proof.length > 0) {
          assert.ok(!verifyInclusion(tree.root, leaf, proof.slice(0, -1)), 'proof cut short');
        }
        assert.ok(!verifyInclusion(tree.root, leaf, [...proof, tree.root]), 'proof extended');
      });
    });
  }

  test('1,000 leaves: tree and all proofs in well under a second', () => {
    const leaves = leavesOf(1000);
    const started = performance.now();
    const tree = buildMerkleTree(leaves);
    for (let i = 0; i < leaves.length; i++) tree.proof(i);
    const elapsed = performance.now() - started;
    // About 50 ms on a quiet machine; a per-proof rebuild would take about a minute.
    assert.ok(elapsed < 1500, `${elapsed.toFixed(0)} ms`);
  });

  test('malformed roots and proofs are false, not errors', () => {
    const leaves = leavesOf(4);
    const tree = buildMerkleTree(leaves);
    const proof = tree.proof(1);
    assert.ok(verifyInclusion(tree.root.toUpperCase().replace('0X', '0x'), leaves[1]!, proof));
    assert.ok(!verifyInclusion('0x1234', leaves[1]!, proof));
    assert.ok(!verifyInclusion(tree.root, leaves[1]!, ['zz', ...proof.slice(1)]));
    assert.ok(!verifyInclusion(tree.root, leaves[1]!, [proof[0]!.slice(0, 40), ...proof.slice(1)]));
  });

  test('no leaves, or a leaf index outside the tree, throw', () => {
    assert.throws(() => merkleRoot([]), RangeError);
    assert.throws(() => inclusionProof([], 0), RangeError);
    const tree = buildMerkleTree(leavesOf(3));
    for (const index of [-1, 3, 1.5]) assert.throws(() => tree.proof(index), RangeError);
  });
});
