// Tree hashing on worker threads gives the same roots and node changes as hashing on the calling thread.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { State, poseidonBn254Hasher, poseidon2BabyBearHasher } from '../../src/rollup/index.ts';
import type { Account } from '../../src/rollup/index.ts';
import type { NodeChange } from '../../src/rollup/state/tree.ts';
import { TreeHashWorkers } from '../../src/rollup/tree-hash-workers.ts';

function randomChanges(size: number, seed: number, capacity: number): Map<number, Account> {
  // xorshift32: unlike a power-of-two LCG, its low bits do not cycle early.
  const rand = (n: number): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const changes = new Map<number, Account>();
  while (changes.size < size) {
    const i = rand(capacity);
    changes.set(i, { ax: BigInt(i + 1), ay: BigInt(rand(1000) + 7), balance: BigInt(rand(1e9)), nonce: rand(9) });
  }
  return changes;
}

describe('TreeHashWorkers', () => {
  const one = new TreeHashWorkers(1);
  const two = new TreeHashWorkers(2);
  after(() => Promise.all([one.close(), two.close()]));

  for (const [name, workers] of [
    ['one worker', one],
    ['two workers', two],
  ] as const)
    it(`${name}: commitAsync equals commit over several blocks, both trees`, async () => {
      const plain = new State(12, [poseidonBn254Hasher, poseidon2BabyBearHasher]);
      const offloaded = new State(12, [poseidonBn254Hasher, poseidon2BabyBearHasher]);
      let seed = 12345;
      // Blocks committed on this thread leave the workers' copies of the tree out of date: they are sent again
      // before the next offloaded block.
      const blocks: [number, 'offloaded' | 'here'][] = [
        [1, 'offloaded'],
        [10, 'offloaded'],
        [300, 'offloaded'],
        [20, 'here'],
        [150, 'offloaded'],
        [700, 'here'],
        [31, 'offloaded'],
        [33, 'offloaded'],
      ];
      for (const [size, where] of blocks) {
        const changes = randomChanges(size, seed++, 4096);
        const a = where === 'here' ? offloaded.commit(changes) : await offloaded.commitAsync(changes, workers);
        const b = plain.commit(changes);
        assert.deepEqual(a.roots, b.roots, `block of ${size}`);
        // The same node changes; several workers report theirs share by share.
        const order = (c: NodeChange[]): NodeChange[] => [...c].sort((x, y) => x.level - y.level || x.index - y.index);
        assert.deepEqual(a.nodes.map(order), b.nodes.map(order));
        assert.equal(a.nodes[0]!.length, new Set(a.nodes[0]!.map((c) => `${c.level}:${c.index}`)).size);
      }
      assert.equal(workers.error, undefined, 'the workers did the hashing');
    });

  it('accounts change at once, the roots when the hashing is done', async () => {
    const state = new State(8);
    const before = state.roots;
    const changes = randomChanges(100, 7, 256);
    const [index, account] = [...changes][0]!;
    const pending = state.commitAsync(changes, one);
    assert.deepEqual(state.getAccount(index), account);
    assert.deepEqual(state.roots, before, 'the tree is unchanged until its update completes');
    const commit = await pending;
    assert.notDeepEqual(commit.roots, before);
    assert.deepEqual(state.roots, commit.roots);
  });

  it('a bad leaf index is refused before anything changes', () => {
    const state = new State(8);
    const roots = state.roots;
    assert.throws(
      () => state.commitAsync(new Map([[256, { ax: 1n, ay: 2n, balance: 3n, nonce: 0 }]]), one),
      /outside the tree/,
    );
    assert.deepEqual(state.getAccount(256).balance, 0n);
    assert.deepEqual(state.roots, roots);
  });

  it('with its workers gone it hashes on the calling thread and stays correct', async () => {
    const gone = new TreeHashWorkers(1);
    await gone.close();
    const plain = new State(10);
    const offloaded = new State(10);
    const changes = randomChanges(200, 99, 1024);
    const a = await offloaded.commitAsync(changes, gone);
    assert.deepEqual(a.roots, plain.commit(changes).roots);
  });
});
