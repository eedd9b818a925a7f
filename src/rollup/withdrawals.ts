import { poseidon, poseidon2 } from './crypto/poseidon.ts';
import { fail } from './errors.ts';
import type { Withdrawal } from './apply.ts';
import { packScript } from './tx/script.ts';

/** Protocol §6: W = Poseidon(w0, w1, amount + 2^64·L). */
export function withdrawalLeaf(w: Withdrawal): bigint {
  const { w0, w1, len } = packScript(w.script);
  return poseidon([w0, w1, w.amount + (BigInt(len) << 64n)]);
}

/** Root of a batch's withdrawal tree: depth `depth`, empty leaf 0, leaves in batch order. */
export function withdrawalRoot(withdrawals: readonly Withdrawal[], depth: number): bigint {
  if (withdrawals.length > 2 ** depth)
    fail('OVERSIZED', `${withdrawals.length} withdrawals exceed the tree of depth ${depth}`);
  let level = withdrawals.map(withdrawalLeaf);
  let zero = 0n;
  for (let d = 0; d < depth; d++) {
    const next: bigint[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(poseidon2(level[i]!, level[i + 1] ?? zero));
    level = next;
    zero = poseidon2(zero, zero);
  }
  return level[0] ?? zero;
}

/** Sibling path of withdrawal `index` (what the bridge needs to pay it out). */
export function withdrawalProof(withdrawals: readonly Withdrawal[], index: number, depth: number): bigint[] {
  let level = withdrawals.map(withdrawalLeaf);
  let zero = 0n;
  let i = index;
  const siblings: bigint[] = [];
  for (let d = 0; d < depth; d++) {
    siblings.push(level[i ^ 1] ?? zero);
    const next: bigint[] = [];
    for (let j = 0; j < level.length; j += 2) next.push(poseidon2(level[j]!, level[j + 1] ?? zero));
    level = next;
    zero = poseidon2(zero, zero);
    i >>= 1;
  }
  return siblings;
}
