// Protocol §9.1: the STARK-field state tree (Poseidon2 over BabyBear, binary), its leaf encoding and digest packing,
// and the rollup keeping it in lockstep with the BN254 tree (live, and when replaying from storage).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  MemoryStore,
  Overlay,
  SparseMerkleTree,
  State,
  poseidon2BabyBearHasher,
  poseidonBn254Hasher,
  replayFromStore,
  replayOp,
} from '../../src/rollup/index.ts';
import {
  EMPTY_KEY_DIGEST,
  P,
  StarkError,
  accountKeyDigest,
  accountLeaf,
  balanceLimbs,
  emptyRoot,
  keyLimbs,
  nonceLimbs,
  packDigest,
  poseidon2Compress,
  poseidon2Hash,
  unpackDigest,
} from '../../src/stark/index.ts';
import { CHAIN, DEPTH, genesisAccounts, pub, sequenceBatch, starkTestConfig } from './batch-fixture.ts';

describe('STARK tree: encoding', () => {
  test('digests pack into 32 bytes, 32 bits per element, and unpack back', () => {
    const d = Uint32Array.from([1, 2, 3, 4, 5, 6, 7, P - 1]);
    const v = packDigest(d);
    assert.equal(v & 0xffffffffn, 1n);
    assert.equal(v >> 224n, BigInt(P - 1));
    assert.deepEqual(unpackDigest(v), d);
    assert.throws(() => unpackDigest(BigInt(P)), StarkError, 'a word equal to p');
    assert.throws(() => unpackDigest(1n << 256n), StarkError);
    assert.throws(() => unpackDigest(-1n), StarkError);
  });

  test('key coordinates split into nine 30-bit limbs', () => {
    const x = (1n << 254n) - 1n;
    const limbs = keyLimbs(x);
    assert.equal(limbs.length, 9);
    assert.equal(
      limbs.reduce((acc, l, i) => acc + (BigInt(l) << BigInt(30 * i)), 0n),
      x,
    );
    assert.throws(() => keyLimbs(1n << 254n), StarkError);
    const k = pub(1);
    assert.deepEqual(accountKeyDigest(k.x, k.y), poseidon2Hash([...keyLimbs(k.x), ...keyLimbs(k.y)]));
  });

  test('balance in 21-bit limbs and nonce in 16-bit limbs, at the limits', () => {
    assert.deepEqual(balanceLimbs((1n << 63n) - 1n), [2 ** 21 - 1, 2 ** 21 - 1, 2 ** 21 - 1]);
    assert.deepEqual(balanceLimbs(1n << 42n), [0, 0, 1]);
    assert.throws(() => balanceLimbs(1n << 63n), StarkError);
    assert.throws(() => balanceLimbs(-1n), StarkError);
    assert.deepEqual(nonceLimbs(2 ** 32 - 1), [0xffff, 0xffff]);
    assert.deepEqual(nonceLimbs(0x10000), [0, 1]);
    assert.throws(() => nonceLimbs(2 ** 32), StarkError);
  });

  test('leaf = Poseidon2Compress(key digest, [b0, b1, b2, n0, n1, 0, 0, 0]); the hasher packs it', () => {
    const k = pub(2);
    const account = { ax: k.x, ay: k.y, balance: (5n << 42n) + (3n << 21n) + 9n, nonce: 0x20001 };
    const expected = poseidon2Compress(accountKeyDigest(k.x, k.y), [9, 3, 5, 1, 2, 0, 0, 0]);
    assert.deepEqual(
      accountLeaf({ keyDigest: accountKeyDigest(k.x, k.y), balance: account.balance, nonce: account.nonce }),
      expected,
    );
    assert.equal(poseidon2BabyBearHasher.leaf(account), packDigest(expected));
    assert.equal(poseidon2BabyBearHasher.arity, 2);
    assert.equal(poseidon2BabyBearHasher.digestBytes, 32);
  });

  test('the empty tree root is Z_D with Z_0 the empty leaf', () => {
    const tree = new SparseMerkleTree(DEPTH, poseidon2BabyBearHasher);
    assert.equal(tree.root, packDigest(emptyRoot(DEPTH)));
    const emptyLeaf = poseidon2Compress(EMPTY_KEY_DIGEST, [0, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(tree.zeros[0], packDigest(emptyLeaf));
    assert.equal(tree.zeros[1], packDigest(poseidon2Compress(emptyLeaf, emptyLeaf)));
  });

  test('node = Poseidon2Compress(left, right) on unpacked digests', () => {
    const l = Uint32Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const r = Uint32Array.from([9, 10, 11, 12, 13, 14, 15, 16]);
    assert.equal(poseidon2BabyBearHasher.node([packDigest(l), packDigest(r)]), packDigest(poseidon2Compress(l, r)));
  });
});

describe('STARK tree: in lockstep with the BN254 tree', () => {
  test('RollupNode keeps both roots per block, and replayFromStore reproduces both', async () => {
    const store = new MemoryStore();
    const batch = await sequenceBatch(store);
    try {
      assert.equal(batch.roots.length, 2);
      assert.equal(batch.output.oldRoots.length, 2);
      assert.equal(batch.output.newRoots.length, 2);
      // Replaying the batch's operations on each tree separately gives each root.
      for (const [i, hasher] of [poseidonBn254Hasher, poseidon2BabyBearHasher].entries()) {
        const state = new State(DEPTH, [hasher]);
        state.commit(new Map(genesisAccounts()));
        assert.equal(state.roots[0], batch.output.oldRoots[i]);
        const overlay = new Overlay(state);
        for (const op of batch.ops) replayOp(op, overlay, { chainId: CHAIN, depth: DEPTH, verifySignatures: false });
        state.commit(overlay.changes);
        assert.equal(state.roots[0], batch.output.newRoots[i], hasher.id);
      }
      const config = starkTestConfig();
      const replayed = await replayFromStore(store, config, { extraHashers: [poseidon2BabyBearHasher] });
      assert.deepEqual(replayed.roots, batch.roots);
      assert.notEqual(replayed.roots[0], replayed.roots[1]);
    } finally {
      await batch.node.close();
    }
  });

  test('a node restarted on the same store keeps the STARK root', async () => {
    const store = new MemoryStore();
    const batch = await sequenceBatch(store);
    await batch.node.close();
    const { RollupNode } = await import('../../src/rollup/index.ts');
    const reopened = await RollupNode.open({
      config: starkTestConfig(),
      store,
      extraHashers: [poseidon2BabyBearHasher],
    });
    try {
      const tip = await reopened.getBlock(reopened.height);
      assert.deepEqual(tip?.header.roots, batch.roots);
    } finally {
      await reopened.close();
    }
  });
});
