import { replayOp } from './apply.ts';
import { decodeBlock } from './block.ts';
import { fail } from './errors.ts';
import type { RollupConfig } from './node.ts';
import { FEE_ACCOUNT } from './state/account.ts';
import { poseidonBn254Hasher } from './state/hasher.ts';
import type { TreeHasher } from './state/hasher.ts';
import { Overlay, State } from './state/state.ts';
import { PREFIX, keys, readU64 } from './storage/layout.ts';
import type { KvStore } from './storage/kv.ts';
import { decodeL1Item } from './tx/encoding.ts';
import type { L1Item } from './tx/types.ts';

/**
 * Rebuilds the state from genesis by re-applying every stored block (optionally re-checking every signature), and
 * checks each block's roots on the way. This is what a verifier does; the crash test compares it with the node.
 */
export async function replayFromStore(
  store: KvStore,
  config: Pick<RollupConfig, 'depth' | 'chainId' | 'feeAccountKey'>,
  opts: {
    verifySignatures?: boolean;
    extraHashers?: TreeHasher[];
    /** stop after this block (default: the tip) */ toBlock?: number;
  } = {},
): Promise<{ roots: bigint[]; blocks: number; state: State }> {
  const state = new State(config.depth, [poseidonBn254Hasher, ...(opts.extraHashers ?? [])]);
  state.commit(
    new Map([[FEE_ACCOUNT, { ax: config.feeAccountKey.x, ay: config.feeAccountKey.y, balance: 0n, nonce: 0 }]]),
  );
  const items: L1Item[] = [];
  for await (const [, v] of store.scan(Uint8Array.of(PREFIX.queue))) items.push(decodeL1Item(v));
  const tipBytes = await store.get(keys.tip());
  const stored = tipBytes ? readU64(tipBytes, 0) : 0;
  const tip = opts.toBlock === undefined ? stored : Math.min(stored, opts.toBlock);
  for (let n = 1; n <= tip; n++) {
    const bytes = await store.get(keys.block(n));
    if (!bytes) fail('STORAGE', `block ${n} is missing`);
    const block = decodeBlock(bytes, (i) => items[i]);
    const overlay = new Overlay(state);
    for (const op of block.ops)
      replayOp(op, overlay, {
        chainId: config.chainId,
        depth: config.depth,
        verifySignatures: opts.verifySignatures ?? false,
      });
    const { roots } = state.commit(overlay.changes);
    if (roots.some((r, i) => r !== block.header.roots[i]))
      fail('STORAGE', `replayed roots of block ${n} differ from its header`);
  }
  return { roots: state.roots, blocks: tip, state };
}
