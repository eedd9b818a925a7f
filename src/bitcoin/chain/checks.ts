import {
  checkTransaction,
  encodeTransaction,
  hash256,
  isCoinbase,
  isFinalTx,
  TxCheckError,
  weight as txWeight,
  wtxid,
  type Transaction,
} from '../tx/index.ts';
import { blockHash, hashesEqual, type Block, type BlockHeader } from './block.ts';
import { ValidationError } from './errors.ts';
import { merkleRoot } from './merkle.ts';
import type { ChainParams } from './params.ts';
import { bitsToTarget, hashMeetsTarget } from './pow.ts';
import { legacySigOps, WITNESS_SCALE } from './sigops.ts';

const COMMITMENT_HEADER = [0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed];

/** Block weight (BIP141): stripped size × 3 + full size, summed with the header and count. */
export function blockWeight(block: Block): number {
  let stripped = 80 + compactSizeLength(block.txs.length);
  let total = stripped;
  for (const tx of block.txs) {
    stripped += encodeTransaction(tx, { witness: false }).length;
    total += encodeTransaction(tx, { witness: true }).length;
  }
  return stripped * (WITNESS_SCALE - 1) + total;
}

export function compactSizeLength(n: number): number {
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9;
}

export function checkProofOfWork(header: BlockHeader, params: ChainParams): void {
  const target = bitsToTarget(header.bits);
  const limit = bitsToTarget(params.powLimitBits) ?? 0n;
  if (target === undefined || target === 0n || target > limit || !hashMeetsTarget(blockHash(header), target))
    throw new ValidationError('high-hash', 'proof of work failed');
}

/** Core's CheckBlock: everything that needs no chain context. */
export function checkBlock(
  block: Block,
  params: ChainParams,
  txids: Uint8Array[],
  opts: { checkPow?: boolean } = {},
): void {
  if (opts.checkPow ?? true) checkProofOfWork(block.header, params);
  const { root, mutated } = merkleRoot(txids);
  if (!hashesEqual(root, block.header.merkleRoot))
    throw new ValidationError('bad-txnmrklroot', 'hashMerkleRoot mismatch');
  if (mutated) throw new ValidationError('bad-txns-duplicate', 'duplicate transaction');
  const maxBase = params.maxBlockWeight / WITNESS_SCALE;
  if (block.txs.length === 0 || block.txs.length > maxBase)
    throw new ValidationError('bad-blk-length', 'size limits failed');
  let stripped = 80 + compactSizeLength(block.txs.length);
  for (const tx of block.txs) stripped += encodeTransaction(tx, { witness: false }).length;
  if (stripped > maxBase) throw new ValidationError('bad-blk-length', 'size limits failed');
  if (!isCoinbase(block.txs[0])) throw new ValidationError('bad-cb-missing', 'first tx is not coinbase');
  for (let i = 1; i < block.txs.length; i++)
    if (isCoinbase(block.txs[i])) throw new ValidationError('bad-cb-multiple', 'more than one coinbase');
  let sigops = 0;
  for (let i = 0; i < block.txs.length; i++) {
    try {
      checkTransaction(block.txs[i]);
    } catch (err) {
      if (err instanceof TxCheckError)
        throw new ValidationError(err.code, `Transaction check failed (tx index ${i})`, err);
      throw err;
    }
    sigops += legacySigOps(block.txs[i]);
  }
  if (sigops * WITNESS_SCALE > params.maxBlockSigopsCost)
    throw new ValidationError('bad-blk-sigops', 'out-of-bounds SigOpCount');
}

/** The push Core's `CScript() << height` produces; a BIP34 coinbase scriptSig starts with it. */
export function heightPush(height: number): Uint8Array {
  if (height === 0) return Uint8Array.of(0x00);
  if (height >= 1 && height <= 16) return Uint8Array.of(0x50 + height);
  const bytes: number[] = [];
  let v = height;
  while (v > 0) {
    bytes.push(v & 0xff);
    v = Math.floor(v / 256);
  }
  if (bytes[bytes.length - 1] & 0x80) bytes.push(0);
  return Uint8Array.of(bytes.length, ...bytes);
}

/** Index of the witness commitment output in the coinbase (the last matching one), or -1. */
export function witnessCommitmentIndex(coinbase: Transaction): number {
  let found = -1;
  coinbase.outputs.forEach((out, i) => {
    if (out.script.length >= 38 && COMMITMENT_HEADER.every((b, j) => out.script[j] === b)) found = i;
  });
  return found;
}

/** BIP141 witness merkle root, with the coinbase's wtxid taken as zero. */
export function witnessMerkleRoot(txs: Transaction[]): Uint8Array {
  const leaves = txs.map((tx, i) => (i === 0 ? new Uint8Array(32) : wtxid(tx)));
  return merkleRoot(leaves).root;
}

export function witnessCommitmentScript(witnessRoot: Uint8Array, nonce: Uint8Array): Uint8Array {
  const data = new Uint8Array(64);
  data.set(witnessRoot, 0);
  data.set(nonce, 32);
  return Uint8Array.of(...COMMITMENT_HEADER, ...hash256(data));
}

export interface PrevContext {
  height: number;
  bits: number;
  medianTimePast: number;
}

/** Core's ContextualCheckBlockHeader for a chain where every soft fork is active from genesis. */
export function contextualCheckHeader(header: BlockHeader, prev: PrevContext, now: number, params: ChainParams): void {
  if (header.bits !== params.powLimitBits) throw new ValidationError('bad-diffbits', 'incorrect proof of work');
  if (header.time <= prev.medianTimePast) throw new ValidationError('time-too-old', "block's timestamp is too early");
  if (header.time > now + params.maxFutureBlockTime)
    throw new ValidationError('time-too-new', 'block timestamp too far in the future');
  if (header.version < 4) {
    const v = (header.version >>> 0).toString(16).padStart(8, '0');
    throw new ValidationError(`bad-version(0x${v})`, 'rejected nVersion block');
  }
}

/** Core's ContextualCheckBlock: finality, BIP34 height, witness commitment, weight. */
export function contextualCheckBlock(block: Block, prev: PrevContext, params: ChainParams): void {
  const height = prev.height + 1;
  for (const tx of block.txs)
    if (!isFinalTx(tx, height, prev.medianTimePast))
      throw new ValidationError('bad-txns-nonfinal', 'non-final transaction');
  const expected = heightPush(height);
  const cbSig = block.txs[0].inputs[0].scriptSig;
  if (cbSig.length < expected.length || !expected.every((b, i) => cbSig[i] === b))
    throw new ValidationError('bad-cb-height', 'block height mismatch in coinbase');
  const coinbase = block.txs[0];
  const commitment = witnessCommitmentIndex(coinbase);
  if (commitment >= 0) {
    const witness = coinbase.inputs[0].witness;
    if (witness.length !== 1 || witness[0].length !== 32)
      throw new ValidationError('bad-witness-nonce-size', 'invalid witness reserved value size');
    const script = witnessCommitmentScript(witnessMerkleRoot(block.txs), witness[0]);
    if (!hashesEqual(script.subarray(0, 38), coinbase.outputs[commitment].script.subarray(0, 38)))
      throw new ValidationError('bad-witness-merkle-match', 'witness merkle commitment mismatch');
  } else {
    for (const tx of block.txs)
      if (tx.inputs.some((input) => input.witness.length > 0))
        throw new ValidationError('unexpected-witness', 'unexpected witness data found');
  }
  let weight = 80 * 4 + compactSizeLength(block.txs.length) * 4;
  for (const tx of block.txs) weight += txWeight(tx);
  if (weight > params.maxBlockWeight) throw new ValidationError('bad-blk-weight', 'weight limit failed');
}
