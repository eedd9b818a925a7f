import { accountKeyDigest, accountLeaf, nodeDigest, packDigest, unpackDigest } from '../../stark/index.ts';
import type { Account } from './account.ts';
import type { TreeHasher } from './hasher.ts';

/**
 * Protocol §9.1: the second state tree, over BabyBear with Poseidon2 (binary). A digest is 8 BabyBear elements
 * packed little-endian into one bigint, 32 bits per element: Σ d[i]·2^(32·i).
 * leaf = Poseidon2Compress(K, [b0, b1, b2, n0, n1, 0, 0, 0]) with K = Poseidon2Hash(30-bit limbs of Ax and Ay),
 * balance in 21-bit limbs and nonce in 16-bit limbs; node = Poseidon2Compress(left, right).
 */
export const poseidon2BabyBearHasher: TreeHasher = {
  id: 'poseidon2-babybear',
  digestBytes: 32,
  arity: 2,
  leaf: (a: Account) =>
    packDigest(accountLeaf({ keyDigest: accountKeyDigest(a.ax, a.ay), balance: a.balance, nonce: a.nonce })),
  node: (c) => packDigest(nodeDigest(unpackDigest(c[0]!), unpackDigest(c[1]!))),
};
