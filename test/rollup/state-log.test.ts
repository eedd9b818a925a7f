// The state's storage (storage/state-log.ts): a record per block, folded into a checkpoint every so often. Whatever
// the policy and wherever the node stops, reopening the store gives the tip's accounts and both trees' roots.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  EMPTY_ACCOUNT,
  MemoryStore,
  RollupError,
  RollupNode,
  State,
  isEmptyAccount,
  poseidon2BabyBearHasher,
  poseidonBn254Hasher,
  replayFromStore,
  signTransfer,
} from '../../src/rollup/index.ts';
import type { Account, KvStore, RollupNodeOptions } from '../../src/rollup/index.ts';
import { StateLog } from '../../src/rollup/storage/state-log.ts';
import { CHAIN, deposit, key, testConfig } from './helpers.ts';

const LOG = 0x4c;
const ACCOUNT = 0x61;
const NODE = 0x6e;
const accountKey = (chunk: number): Uint8Array => Uint8Array.of(ACCOUNT, 0, 0, (chunk >> 8) & 0xff, chunk & 0xff);

async function keysUnder(store: KvStore, prefix: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const [k] of store.scan(Uint8Array.of(prefix))) out.push(k);
  return out;
}

const sorted = (node: RollupNode) => [...node.state.entries()].sort((a, b) => a[0] - b[0]);

function open(store: KvStore, checkpoint?: RollupNodeOptions['checkpoint']): Promise<RollupNode> {
  return RollupNode.open({ config: testConfig(), store, extraHashers: [poseidon2BabyBearHasher], checkpoint });
}

/** Five blocks: deposits, then transfers among the accounts (some accounts change in several blocks). */
async function fiveBlocks(node: RollupNode, afterEach: (block: number) => Promise<void>): Promise<void> {
  node.setL1Height(10);
  for (let i = 1; i <= 6; i++) await node.addL1Item(deposit(i, 100_000n));
  await node.produceBlock();
  await afterEach(1);
  const nonces = new Map<number, number>();
  for (let b = 2; b <= 5; b++) {
    for (let k = 0; k < 4; k++) {
      const from = 1 + ((b + k) % 6);
      const to = 1 + ((b * 3 + k + 1) % 6);
      if (from === to) continue;
      const nonce = nonces.get(from) ?? 0;
      nonces.set(from, nonce + 1);
      await node.submitTransaction(
        signTransfer(key(from), { from, to, amount: 100n * BigInt(b), fee: 1n, nonce }, CHAIN),
      );
    }
    await node.produceBlock();
    await afterEach(b);
  }
}

describe('state storage: per-block records and checkpoints', () => {
  for (const [name, checkpoint] of [
    ['a checkpoint every block', { blocks: 1, entries: 1_000_000 }],
    ['a checkpoint every 3 blocks', { blocks: 3, entries: 1_000_000 }],
    ['a checkpoint by entry count', { blocks: 1000, entries: 40 }],
    ['the default policy (no checkpoint in five blocks)', undefined],
  ] as const) {
    it(`${name}: reopening after any block gives the tip's roots and accounts`, async () => {
      const store = new MemoryStore();
      const node = await open(store, checkpoint);
      let logged = 0;
      await fiveBlocks(node, async (block) => {
        const again = await open(store, checkpoint);
        assert.equal(again.height, block);
        assert.deepEqual(again.roots, node.roots);
        assert.deepEqual(sorted(again), sorted(node));
        logged = (await keysUnder(store, LOG)).length;
      });
      const limit = checkpoint?.blocks ?? 256;
      assert.ok(logged < limit, `${logged} logged records, the policy allows ${limit - 1}`);
      if (checkpoint === undefined) assert.equal(logged, 5);
      // Replay from genesis agrees with every block's header.
      const replay = await replayFromStore(store, testConfig(), { extraHashers: [poseidon2BabyBearHasher] });
      assert.deepEqual(replay.roots, node.roots);
    });
  }

  it('a checkpoint deletes the records it folds in and stores exactly the non-empty nodes', async () => {
    const store = new MemoryStore();
    const node = await open(store, { blocks: 4, entries: 1_000_000 });
    const seen: number[] = [];
    await fiveBlocks(node, async () => {
      seen.push((await keysUnder(store, LOG)).length);
    });
    // Genesis is a checkpoint; blocks 1–3 are logged; block 4 is the fourth since, so it checkpoints; 5 is logged.
    assert.deepEqual(seen, [1, 2, 3, 0, 1]);
    const reopened = await open(store, { blocks: 1, entries: 1 });
    assert.deepEqual(reopened.roots, node.roots);
    // The checkpoint holds the accounts of block 4, not the tip (block 5's changes are in its record): accounts 0–6
    // share one chunk record of 80 bytes each.
    const accountRecords = await keysUnder(store, ACCOUNT);
    assert.equal(accountRecords.length, 1);
    assert.equal((await store.get(accountRecords[0]!))!.length, 7 * 80);
    assert.ok((await keysUnder(store, NODE)).length > 0);
  });

  it('checkpoint records are chunks of 1,024: indices across chunks load back, emptied chunks are deleted', async () => {
    const hashers = [poseidonBn254Hasher, poseidon2BabyBearHasher];
    const state = new State(12, hashers);
    const log = new StateLog(state);
    const store = new MemoryStore();
    const account = (i: number): Account => ({ ax: BigInt(i + 1), ay: 7n, balance: BigInt(i) * 3n, nonce: i % 5 });
    const first = new Map([0, 1023, 1024, 3000, 4095].map((i) => [i, account(i)]));
    await store.write(log.writesFor(1, state.commit(first), { checkpoint: true }));
    // Empties the only account of chunk 2 (index 3000): its record must go.
    await store.write(log.writesFor(2, state.commit(new Map([[3000, EMPTY_ACCOUNT]])), { checkpoint: true }));
    const chunks = (await keysUnder(store, ACCOUNT)).map((k) => Buffer.from(k).readUInt32BE(1));
    assert.deepEqual(chunks, [0, 1, 3]);
    const loaded = new State(12, hashers);
    const loader = new StateLog(loaded);
    for await (const [k, v] of store.scan(Uint8Array.of(ACCOUNT))) loader.loadAccounts(k, v);
    for await (const [k, v] of store.scan(Uint8Array.of(NODE))) loader.loadNodes(k, v);
    assert.deepEqual(loaded.roots, state.roots);
    // (An account emptied again is simply absent, as in the state it reads as empty.)
    const nonEmpty = (st: State) => [...st.entries()].filter(([, a]) => !isEmptyAccount(a)).sort((a, b) => a[0] - b[0]);
    assert.deepEqual(nonEmpty(loaded), nonEmpty(state));
    assert.deepEqual(loaded.getAccount(3000), EMPTY_ACCOUNT);
    // A record cut mid-entry, or one holding an index of another chunk, is refused.
    const [k0, v0] = [accountKey(0), (await store.get(accountKey(0)))!];
    assert.throws(() => new StateLog(new State(12, hashers)).loadAccounts(k0, v0.subarray(0, 100)), /truncated/);
    assert.throws(() => new StateLog(new State(12, hashers)).loadAccounts(accountKey(1), v0), /outside its chunk 1/);
  });

  it('a truncated record is refused with a clear error', async () => {
    const store = new MemoryStore();
    const node = await open(store);
    await fiveBlocks(node, async () => undefined);
    const [last] = (await keysUnder(store, LOG)).slice(-1);
    const value = (await store.get(last!))!;
    await store.write([{ type: 'put', key: last!, value: value.subarray(0, value.length - 7) }]);
    await assert.rejects(
      open(store),
      (e: unknown) => e instanceof RollupError && e.code === 'STORAGE' && /block 5 are truncated/.test(e.message),
    );
  });
});
