import { blockHash, type Block, type BlockHeader } from '../chain/block.ts';
import type { Chain } from '../chain/chain.ts';
import { heightPush, witnessCommitmentScript, witnessMerkleRoot } from '../chain/checks.ts';
import { merkleRoot } from '../chain/merkle.ts';
import { blockSubsidy } from '../chain/params.ts';
import { bitsToTarget, hashMeetsTarget } from '../chain/pow.ts';
import type { Mempool, MempoolEntry } from '../mempool/mempool.ts';
import { txid as computeTxid, type Transaction } from '../tx/index.ts';
import { BaseError } from '../../shared/index.ts';

export class MiningError extends BaseError {
  override name = 'MiningError';
}

/** Weight kept free for the coinbase, as Core reserves 4000 WU. */
const COINBASE_RESERVED_WEIGHT = 4000;
const COINBASE_RESERVED_SIGOPS = 400;

/**
 * Core's package selection (CreateNewBlock): repeatedly takes the pool transaction whose ancestor set not yet in the
 * block has the highest feerate, adding that whole set in dependency order, until the block is full.
 */
export function selectTransactions(mempool: Mempool, maxWeight: number, maxSigops: number): MempoolEntry[] {
  const chosen = new Set<MempoolEntry>();
  const order: MempoolEntry[] = [];
  let weight = COINBASE_RESERVED_WEIGHT;
  let sigops = COINBASE_RESERVED_SIGOPS;
  interface Pkg {
    members: MempoolEntry[];
    fee: bigint;
    vsize: number;
    weight: number;
    sigops: number;
  }
  // Each candidate's package (itself plus its ancestors not yet in the block), recomputed only when one of its
  // ancestors enters the block.
  const packages = new Map<MempoolEntry, Pkg>();
  const packageOf = (e: MempoolEntry): Pkg => {
    const members = [...mempool.ancestors(e)].filter((a) => !chosen.has(a));
    members.push(e);
    const pkg: Pkg = { members, fee: 0n, vsize: 0, weight: 0, sigops: 0 };
    for (const m of members) {
      pkg.fee += m.fee;
      pkg.vsize += m.vsize;
      pkg.weight += m.weight;
      pkg.sigops += m.sigopCost;
    }
    return pkg;
  };
  const position = new Map(mempool.all().map((e, i) => [e, i]));
  for (const e of position.keys()) packages.set(e, packageOf(e));
  while (packages.size > 0) {
    let best: [MempoolEntry, Pkg] | undefined;
    for (const [e, pkg] of packages) {
      if (!best || pkg.fee * BigInt(best[1].vsize) > best[1].fee * BigInt(pkg.vsize)) best = [e, pkg];
    }
    if (!best) break;
    const [head, pkg] = best;
    packages.delete(head);
    if (weight + pkg.weight > maxWeight || sigops + pkg.sigops > maxSigops) continue;
    // Ancestors before descendants: the pool's insertion order is a valid topological order.
    const members = [...pkg.members].sort((x, y) => (position.get(x) ?? 0) - (position.get(y) ?? 0));
    const touched = new Set<MempoolEntry>();
    for (const m of members) {
      chosen.add(m);
      order.push(m);
      packages.delete(m);
      for (const d of mempool.descendants(m)) if (!chosen.has(d)) touched.add(d);
    }
    for (const d of touched) if (packages.has(d)) packages.set(d, packageOf(d));
    weight += pkg.weight;
    sigops += pkg.sigops;
  }
  return order;
}

export interface BlockTemplate {
  block: Block;
  fees: bigint;
  entries: MempoolEntry[];
}

/** Coinbase paying `script`, committing to the witness root (always, as Core's miner does). */
export function makeCoinbase(height: number, script: Uint8Array, value: bigint, txs: Transaction[]): Transaction {
  const scriptSig = Uint8Array.of(...heightPush(height), 0x00);
  const coinbase: Transaction = {
    version: 2,
    inputs: [
      { txid: new Uint8Array(32), vout: 0xffffffff, scriptSig, sequence: 0xffffffff, witness: [new Uint8Array(32)] },
    ],
    outputs: [{ value, script }],
    locktime: 0,
  };
  const root = witnessMerkleRoot([coinbase, ...txs]);
  coinbase.outputs.push({ value: 0n, script: witnessCommitmentScript(root, new Uint8Array(32)) });
  return coinbase;
}

/** A block on the current tip paying `script`, with `txs` (or the best pool transactions) and an unsolved header. */
export function createBlock(
  chain: Chain,
  script: Uint8Array,
  txs: { txs: Transaction[]; fees: bigint } | Mempool,
  now: number = Math.floor(Date.now() / 1000),
): BlockTemplate {
  const tip = chain.tip;
  const height = tip.height + 1;
  let chosen: Transaction[];
  let fees: bigint;
  let entries: MempoolEntry[] = [];
  if ('txs' in txs) {
    chosen = txs.txs;
    fees = txs.fees;
  } else {
    entries = selectTransactions(txs, chain.params.maxBlockWeight, chain.params.maxBlockSigopsCost);
    chosen = entries.map((e) => e.tx);
    fees = entries.reduce((s, e) => s + e.fee, 0n);
  }
  const coinbase = makeCoinbase(height, script, blockSubsidy(height, chain.params) + fees, chosen);
  const all = [coinbase, ...chosen];
  const header: BlockHeader = {
    version: 0x20000000,
    prevHash: tip.hash,
    merkleRoot: merkleRoot(all.map(computeTxid)).root,
    time: Math.max(tip.medianTimePast + 1, now),
    bits: chain.params.powLimitBits,
    nonce: 0,
  };
  return { block: { header, txs: all }, fees, entries };
}

/** Grinds the nonce (and the time when nonces run out) until the header meets its target. */
export function solve(header: BlockHeader, maxTries = 1_000_000): boolean {
  const target = bitsToTarget(header.bits);
  if (target === undefined) throw new MiningError('invalid nBits');
  for (let i = 0; i < maxTries; i++) {
    if (hashMeetsTarget(blockHash(header), target)) return true;
    header.nonce = (header.nonce + 1) >>> 0;
    if (header.nonce === 0) header.time++;
  }
  return false;
}
