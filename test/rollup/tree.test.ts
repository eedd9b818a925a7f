// The sparse tree against a naive full-tree computation, proofs, and a second hasher kept in lockstep.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sha256 } from '@noble/hashes/sha2.js';
import { buildPoseidon } from 'circomlibjs';
import { EMPTY_ACCOUNT, SparseMerkleTree, State, poseidonBn254Hasher } from '../../src/rollup/index.ts';
import type { Account, TreeHasher } from '../../src/rollup/index.ts';

// A stand-in for the STARK tree: any other hash proves the state drives several trees without changes.
const shaHasher: TreeHasher = {
  id: 'sha256-test',
  digestBytes: 32,
  arity: 2,
  leaf: (a) => big(sha256(new TextEncoder().encode(`${a.ax}:${a.ay}:${a.balance}:${a.nonce}`))),
  node: (c) => big(sha256(new TextEncoder().encode(c.join('|')))),
};
// The same with four children per node.
const sha4Hasher: TreeHasher = { ...shaHasher, id: 'sha256-4-test', arity: 4 };
function big(b: Uint8Array): bigint {
  return BigInt('0x' + Buffer.from(b).toString('hex'));
}

function naiveRoot(hasher: TreeHasher, depth: number, leaves: Map<number, Account>): bigint {
  let level = Array.from({ length: 2 ** depth }, (_, i) => hasher.leaf(leaves.get(i) ?? EMPTY_ACCOUNT));
  const k = hasher.arity;
  while (level.length > 1) level = level.flatMap((_, i) => (i % k ? [] : [hasher.node(level.slice(i, i + k))]));
  return level[0]!;
}

const acc = (i: number): Account => ({
  ax: BigInt(i) * 1000n + 1n,
  ay: BigInt(i) * 77n + 5n,
  balance: BigInt(i) * 10n,
  nonce: i % 3,
});

describe('state tree', () => {
  it('empty leaf, zero hashes and 4-ary nodes follow protocol §3 (checked with circomlibjs)', async () => {
    const ref = await buildPoseidon();
    const h = (xs: bigint[]) => BigInt(ref.F.toString(ref(xs)));
    assert.equal(poseidonBn254Hasher.arity, 4);
    const tree = new SparseMerkleTree(4, poseidonBn254Hasher);
    assert.equal(tree.levels, 2);
    const e = h([0n, 0n, 0n]);
    assert.equal(tree.zeros[0], e);
    const z1 = h([e, e, e, e]);
    assert.equal(tree.zeros[1], z1);
    assert.equal(tree.root, h([z1, z1, z1, z1]));
    const a = acc(3);
    const leaf = h([a.ax, a.ay, a.balance + (BigInt(a.nonce) << 64n)]);
    assert.equal(poseidonBn254Hasher.leaf(a), leaf);
    // Leaf 6 is child 2 of level-1 node 1, which is child 1 of the root: children stay left to right.
    tree.update(new Map([[6, leaf]]));
    assert.equal(tree.root, h([z1, h([e, e, leaf, e]), z1, z1]));
    assert.deepEqual(tree.proof(6), [e, e, e, z1, z1, z1]);
  });
  for (const hasher of [poseidonBn254Hasher, shaHasher, sha4Hasher]) {
    it(`batched updates equal a naive rebuild (${hasher.id})`, () => {
      const depth = 4;
      const tree = new SparseMerkleTree(depth, hasher);
      const leaves = new Map<number, Account>();
      for (const batch of [[0, 5, 6], [15], [5, 1, 2, 3], [0]]) {
        const upd = new Map<number, bigint>();
        for (const i of batch) {
          const a = acc(i + leaves.size);
          leaves.set(i, a);
          upd.set(i, hasher.leaf(a));
        }
        tree.update(upd);
        assert.equal(tree.root, naiveRoot(hasher, depth, leaves));
      }
      for (const i of [0, 5, 9, 15]) {
        const leaf = hasher.leaf(leaves.get(i) ?? EMPTY_ACCOUNT);
        assert.equal(tree.proof(i).length, (hasher.arity - 1) * tree.levels);
        assert.equal(SparseMerkleTree.rootFrom(hasher, i, leaf, tree.proof(i)), tree.root);
        if (leaf !== hasher.leaf(leaves.get(i ^ 1) ?? EMPTY_ACCOUNT))
          assert.notEqual(SparseMerkleTree.rootFrom(hasher, i ^ 1, leaf, tree.proof(i)), tree.root);
      }
    });
  }
  it('a 4-ary tree needs an even depth', () => {
    assert.throws(() => new SparseMerkleTree(5, sha4Hasher), /not a multiple of 2/);
  });
  it('the state keeps every hasher in lockstep', () => {
    const s = new State(4, [poseidonBn254Hasher, shaHasher, sha4Hasher]);
    const changes = new Map([
      [2, acc(2)],
      [9, acc(9)],
    ]);
    const { roots } = s.commit(changes);
    assert.equal(roots.length, 3);
    assert.equal(roots[0], naiveRoot(poseidonBn254Hasher, 4, changes));
    assert.equal(roots[1], naiveRoot(shaHasher, 4, changes));
    assert.equal(roots[2], naiveRoot(sha4Hasher, 4, changes));
    assert.notEqual(roots[2], roots[1]);
  });
});
