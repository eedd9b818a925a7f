import { hash256 } from '../tx/index.ts';

/**
 * Core's ComputeMerkleRoot. `mutated` is true when two identical hashes are paired at any level (CVE-2012-2459):
 * such a tree has the same root as a different transaction list, so a block with it is rejected.
 */
export function merkleRoot(leaves: Uint8Array[]): { root: Uint8Array; mutated: boolean } {
  if (leaves.length === 0) return { root: new Uint8Array(32), mutated: false };
  let level = leaves;
  let mutated = false;
  const pair = new Uint8Array(64);
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i];
      const right = i + 1 < level.length ? level[i + 1] : left;
      if (i + 1 < level.length && equal32(left, right)) mutated = true;
      pair.set(left, 0);
      pair.set(right, 32);
      next.push(hash256(pair));
    }
    level = next;
  }
  return { root: level[0], mutated };
}

function equal32(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return false;
  return true;
}
