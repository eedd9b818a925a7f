import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  MerkleTree,
  P,
  Transcript,
  grind,
  hashLeaves,
  leadingZeroBits,
  sha256,
  verifyMerklePath,
} from '../../src/stark/index.ts';

describe('SHA-256 Merkle tree', () => {
  const leaves = Array.from({ length: 16 }, (_, i) => new Uint8Array([i, i * 3, 7]));
  const digests = hashLeaves(Uint8Array.from(leaves.flatMap((l) => [...l])), 3);
  const tree = new MerkleTree(digests);

  test('the root is the SHA-256 of its two children, recursively', () => {
    const level = (nodes: Uint8Array[]): Uint8Array[] =>
      nodes.flatMap((_, i) => (i % 2 ? [] : [sha256(new Uint8Array([...nodes[i]!, ...nodes[i + 1]!]))]));
    let nodes = leaves.map((l) => sha256(l));
    while (nodes.length > 1) nodes = level(nodes);
    assert.equal(Buffer.from(tree.root()).toString('hex'), Buffer.from(nodes[0]!).toString('hex'));
  });

  test('every opening verifies, and a wrong index, leaf or path does not', () => {
    for (let i = 0; i < 16; i++) {
      const path = tree.open(i);
      const leaf = digests.subarray(32 * i, 32 * i + 32);
      assert.ok(verifyMerklePath(tree.root(), 4, i, leaf, path));
      assert.ok(!verifyMerklePath(tree.root(), 4, i ^ 1, leaf, path));
      const badPath = path.slice();
      badPath[5]! ^= 1;
      assert.ok(!verifyMerklePath(tree.root(), 4, i, leaf, badPath));
      assert.ok(!verifyMerklePath(tree.root(), 4, i, sha256(new Uint8Array([99])), path));
    }
    assert.throws(() => tree.open(16), { code: 'INVALID_ARGUMENT' });
  });
});

describe('Fiat–Shamir transcript', () => {
  test('challenges depend on everything absorbed and are canonical', () => {
    const a = new Transcript('t');
    const b = new Transcript('t');
    a.absorb(new Uint8Array([1]));
    b.absorb(new Uint8Array([2]));
    const ca = a.challengeExt();
    assert.notDeepEqual(ca, b.challengeExt());
    assert.ok(ca.every((v) => v >= 0 && v < P));
    const c = new Transcript('t');
    c.absorb(new Uint8Array([1]));
    assert.deepEqual(c.challengeExt(), ca);
    assert.notDeepEqual(new Transcript('other').challengeExt(), new Transcript('t').challengeExt());
  });

  test('grinding finds a nonce with the required leading zeros', () => {
    const seed = sha256(new Uint8Array([42]));
    const nonce = grind(seed, 10);
    const buf = new Uint8Array(40);
    buf.set(seed);
    new DataView(buf.buffer).setBigUint64(32, BigInt(nonce), true);
    assert.ok(leadingZeroBits(sha256(buf)) >= 10);
    assert.equal(leadingZeroBits(new Uint8Array([0, 0x10])), 11);
  });
});
