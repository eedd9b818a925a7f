// Two-thread state-tree hashing gives the same roots as the plain tree, and really serves the commit from its memo.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { State, poseidonBn254Hasher } from '../../src/rollup/index.ts';
import type { Account } from '../../src/rollup/index.ts';
import { ParallelTreeHasher } from '../../src/rollup/parallel-hash.ts';

describe('ParallelTreeHasher', () => {
  const parallel = new ParallelTreeHasher();
  after(() => parallel.close());

  it('matches the plain tree over several blocks of changes, with every digest precomputed', async () => {
    const plain = new State(12, [poseidonBn254Hasher]);
    const split = new State(12, [parallel.hasher]);
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (const size of [1, 10, 300, 150]) {
      const changes = new Map<number, Account>();
      while (changes.size < size) {
        const i = rand(4096);
        changes.set(i, { ax: BigInt(i + 1), ay: BigInt(rand(1000) + 7), balance: BigInt(rand(1e9)), nonce: rand(9) });
      }
      const before = { ...parallel.stats };
      await parallel.prepare(split.trees[0]!, changes);
      const a = split.commit(changes);
      parallel.clear();
      const b = plain.commit(changes);
      assert.deepEqual(a.roots, b.roots, `block of ${size}`);
      assert.deepEqual(a.nodes, b.nodes);
      assert.equal(parallel.stats.misses, before.misses, 'every digest came from the memo');
      assert.ok(parallel.stats.hits > before.hits);
    }
  });

  it('without prepare it still hashes correctly (a memo miss costs time, not correctness)', () => {
    const plain = new State(8, [poseidonBn254Hasher]);
    const split = new State(8, [parallel.hasher]);
    const changes = new Map<number, Account>([[5, { ax: 1n, ay: 2n, balance: 3n, nonce: 4 }]]);
    assert.deepEqual(split.commit(changes).roots, plain.commit(changes).roots);
  });
});
