import { poseidon, poseidonMany } from '../crypto/poseidon.ts';
import type { Account } from './account.ts';

/**
 * How one state tree hashes. The state keeps a list of these and updates every tree in lockstep (decision 2): the
 * BN254 Poseidon tree for the SNARK is first; the STARK module adds its BabyBear/Poseidon2 hasher as the second.
 * Digests are bigints so that a multi-element digest (e.g. 8 BabyBear limbs) can be packed into one value.
 */
export interface TreeHasher {
  /** Stable short name; used in block headers and storage keys. */
  readonly id: string;
  /** Byte length of a serialised digest (for storage). */
  readonly digestBytes: number;
  /** Children per inner node: 2 (binary) or 4. The tree's depth in bits must be a multiple of log2(arity). */
  readonly arity: 2 | 4;
  leaf(account: Account): bigint;
  /** Digest of one inner node from its `arity` children, left to right. */
  node(children: readonly bigint[]): bigint;
  /** Optional batch forms (same results as `leaf` / `node` on each item, in order), for hashers that are faster so. */
  leaves?(accounts: readonly Account[]): bigint[];
  nodes?(inputs: readonly (readonly bigint[])[]): bigint[];
}

/** Leaf digests of many accounts through the hasher's batch form if it has one. */
export function hashLeaves(hasher: TreeHasher, accounts: readonly Account[]): bigint[] {
  return hasher.leaves ? hasher.leaves(accounts) : accounts.map((a) => hasher.leaf(a));
}

/** Inner-node digests of many child lists through the hasher's batch form if it has one. */
export function hashNodes(hasher: TreeHasher, inputs: readonly (readonly bigint[])[]): bigint[] {
  return hasher.nodes ? hasher.nodes(inputs) : inputs.map((c) => hasher.node(c));
}

const TWO64 = 1n << 64n;

/**
 * Protocol §3: a 4-ary tree, leaf = Poseidon(Ax, Ay, balance + 2^64·nonce), node = Poseidon(c0, c1, c2, c3) of its
 * children left to right. Four children per node halve the levels the circuit hashes (one Poseidon(4) costs about
 * 300 constraints against two Poseidon(2) at 240 each), which is what brings a D = 24 slot under 25k constraints.
 */
export const poseidonBn254Hasher: TreeHasher = {
  id: 'poseidon4-bn254',
  digestBytes: 32,
  arity: 4,
  leaf: (a) => poseidon(leafInputs(a)),
  node: (c) => poseidon([c[0]!, c[1]!, c[2]!, c[3]!]),
  // Many at once run two permutations side by side in the SIMD kernel.
  leaves: (accounts) => poseidonMany(accounts.map(leafInputs)),
  nodes: (inputs) => poseidonMany(inputs),
};

function leafInputs(a: Account): bigint[] {
  return [a.ax, a.ay, a.balance + TWO64 * BigInt(a.nonce)];
}
