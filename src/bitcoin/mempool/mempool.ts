import { outpointKey, type BlockEntry, type Chain } from '../chain/chain.ts';
import type { Block } from '../chain/block.ts';
import { sigOpCost } from '../chain/sigops.ts';
import { scriptErrorText, type TxVerifier } from '../chain/verify.ts';
import {
  checkSequenceLocks,
  checkTransaction,
  encodeTransaction,
  hashToHex,
  isCoinbase,
  isFinalTx,
  sequenceLocks,
  txid as computeTxid,
  TxCheckError,
  weight as txWeight,
  wtxid as computeWtxid,
  type Transaction,
  type TxOutput,
} from '../tx/index.ts';
import { MempoolRejectError } from './errors.ts';
import { feeForVsize, inputsStandard, POLICY, standardTxReason, txSizeTooSmall, witnessStandard } from './policy.ts';

export interface MempoolEntry {
  tx: Transaction;
  /** Internal byte order. */
  txid: Uint8Array;
  id: string;
  wtxid: string;
  fee: bigint;
  vsize: number;
  weight: number;
  size: number;
  sigopCost: number;
  /** UNIX seconds when it entered. */
  time: number;
  /** Chain height when it entered. */
  height: number;
  parents: Set<MempoolEntry>;
  children: Set<MempoolEntry>;
}

export interface AcceptResult {
  entry: MempoolEntry;
  replaced: MempoolEntry[];
}

export interface AcceptOptions {
  /** Check only; the pool is unchanged (testmempoolaccept). */
  testOnly?: boolean;
  /**
   * Unconfirmed transactions checked earlier in the same testOnly package: their outputs may be spent and they
   * count as ancestors, but they are not in the pool (testmempoolaccept with several transactions).
   */
  package?: MempoolEntry[];
  /** Skip fee and package limits (re-adding transactions of disconnected blocks, as Core does). */
  bypassLimits?: boolean;
  /** Refuse (reason `max-fee-exceeded`) when the fee is above this rate, in sat per 1000 vbytes. */
  maxFeeRate?: bigint;
}

/** Why a transaction left the pool (`size-limit`: evicted to stay within the pool's size, as Core's TrimToSize). */
export type RemovalReason = 'block' | 'conflict' | 'replaced' | 'reorg' | 'size-limit';

/** Half-life of the rolling minimum fee raised by evictions (Core's ROLLING_FEE_HALFLIFE). */
const ROLLING_FEE_HALFLIFE = 12 * 60 * 60;

export interface MempoolListener {
  txAdded?(entry: MempoolEntry): void;
  txRemoved?(entry: MempoolEntry, reason: RemovalReason): void;
}

/** Fee per 1000 vbytes as a number, for comparisons and RPC display. */
export function feeRate(fee: bigint, vsize: number): number {
  return (Number(fee) * 1000) / vsize;
}

/**
 * Core's mempool: standardness, fee and package limits, BIP125 replacement (full RBF, Core 28's default), and
 * removal of confirmed and conflicting transactions as blocks connect.
 */
export class Mempool {
  private readonly entries = new Map<string, MempoolEntry>();
  private readonly spenders = new Map<string, MempoolEntry>();
  private readonly listeners: MempoolListener[] = [];
  /** Transactions of blocks disconnected in the current reorg, oldest block first. */
  private resurrect: Transaction[] = [];
  /** A block left the active chain since the last tip change, so pooled transactions need re-checking. */
  private disconnected = false;
  private totalSize = 0;
  sequence = 0;

  constructor(
    private readonly chain: Chain,
    private readonly verifier: TxVerifier | undefined,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
    /** Largest total serialized size of pooled transactions before the cheapest are evicted. */
    readonly maxBytes: number = POLICY.maxMempoolBytes,
  ) {
    chain.addListener({
      blockConnected: (_entry, block, txids) => this.onBlockConnected(block, txids),
      blockDisconnected: (_entry, block) => {
        this.disconnected = true;
        this.resurrect = [...block.txs.filter((tx) => !isCoinbase(tx)), ...this.resurrect];
      },
      tipChanged: (tip) => this.onTipChanged(tip),
    });
  }

  addListener(listener: MempoolListener): void {
    this.listeners.push(listener);
  }

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.totalSize;
  }

  get(id: string): MempoolEntry | undefined {
    return this.entries.get(id.toLowerCase());
  }

  all(): MempoolEntry[] {
    return [...this.entries.values()];
  }

  /** The mempool transaction spending an outpoint, if any. */
  spender(txid: Uint8Array, vout: number): MempoolEntry | undefined {
    return this.spenders.get(outpointKey(txid, vout));
  }

  /** Output `vout` of an unconfirmed transaction. */
  output(txid: Uint8Array, vout: number): TxOutput | undefined {
    const e = this.entries.get(hashToHex(txid));
    return e?.tx.outputs[vout];
  }

  ancestors(entry: MempoolEntry): Set<MempoolEntry> {
    return this.closure(entry, (e) => e.parents);
  }

  descendants(entry: MempoolEntry): Set<MempoolEntry> {
    return this.closure(entry, (e) => e.children);
  }

  private closure(entry: MempoolEntry, next: (e: MempoolEntry) => Set<MempoolEntry>): Set<MempoolEntry> {
    const out = new Set<MempoolEntry>();
    const stack = [...next(entry)];
    while (stack.length) {
      const e = stack.pop() as MempoolEntry;
      if (out.has(e)) continue;
      out.add(e);
      stack.push(...next(e));
    }
    return out;
  }

  /** Validates `tx` against the chain tip and policy and adds it (unless testOnly). Throws MempoolRejectError. */
  accept(tx: Transaction, options: AcceptOptions = {}): AcceptResult {
    const txid = computeTxid(tx);
    const id = hashToHex(txid);
    const wtxid = hashToHex(computeWtxid(tx));
    try {
      checkTransaction(tx);
    } catch (err) {
      if (err instanceof TxCheckError) throw new MempoolRejectError(err.code, { cause: err });
      throw err;
    }
    if (isCoinbase(tx)) throw new MempoolRejectError('coinbase');
    const standard = standardTxReason(tx);
    if (standard) throw new MempoolRejectError(standard);
    if (txSizeTooSmall(tx)) throw new MempoolRejectError('tx-size-small');
    const tip = this.chain.tip;
    const nextHeight = tip.height + 1;
    if (!isFinalTx(tx, nextHeight, tip.medianTimePast)) throw new MempoolRejectError('non-final');
    const existing = this.entries.get(id);
    if (existing) {
      if (existing.wtxid === wtxid)
        throw new MempoolRejectError('txn-already-in-mempool', { kind: 'already-in-mempool' });
      throw new MempoolRejectError('txn-same-nonwitness-data-in-mempool');
    }

    const conflicts = new Set<MempoolEntry>();
    const parents = new Set<MempoolEntry>();
    const prevouts: TxOutput[] = [];
    const heights: number[] = [];
    let valueIn = 0n;
    for (const input of tx.inputs) {
      const spender = this.spenders.get(outpointKey(input.txid, input.vout));
      if (spender) conflicts.add(spender);
      for (const member of options.package ?? [])
        for (const other of member.tx.inputs)
          if (other.vout === input.vout && hashToHex(other.txid) === hashToHex(input.txid))
            throw new MempoolRejectError('conflict-in-package');
      const coin = this.chain.getCoin(input.txid, input.vout);
      if (coin) {
        if (coin.coinbase && nextHeight - coin.height < this.chain.params.coinbaseMaturity)
          throw new MempoolRejectError('bad-txns-premature-spend-of-coinbase', {
            details: `tried to spend coinbase at depth ${nextHeight - coin.height}`,
          });
        prevouts.push({ value: coin.value, script: coin.script });
        heights.push(coin.height);
        valueIn += coin.value;
        continue;
      }
      const parentId = hashToHex(input.txid);
      const parent = this.entries.get(parentId) ?? options.package?.find((m) => m.id === parentId);
      const out = parent?.tx.outputs[input.vout];
      if (!parent || !out) {
        for (let vout = 0; vout < tx.outputs.length; vout++)
          if (this.chain.getCoin(txid, vout))
            throw new MempoolRejectError('txn-already-known', { kind: 'already-in-chain' });
        throw new MempoolRejectError('missing-inputs', { kind: 'missing-inputs' });
      }
      parents.add(parent);
      prevouts.push(out);
      heights.push(nextHeight);
      valueIn += out.value;
    }
    const valueOut = tx.outputs.reduce((s, o) => s + o.value, 0n);
    if (valueIn < valueOut)
      throw new MempoolRejectError('bad-txns-in-belowout', {
        details: `value in (${valueIn}) < value out (${valueOut})`,
      });
    const fee = valueIn - valueOut;
    const locks = sequenceLocks(tx, heights, (h) => this.chain.medianTimePastAt(h));
    if (!checkSequenceLocks(locks, nextHeight, tip.medianTimePast)) throw new MempoolRejectError('non-BIP68-final');
    if (!inputsStandard(tx, prevouts)) throw new MempoolRejectError('bad-txns-nonstandard-inputs');
    if (!witnessStandard(tx, prevouts)) throw new MempoolRejectError('bad-witness-nonstandard');
    const sigopCost = sigOpCost(tx, prevouts);
    if (sigopCost > POLICY.maxStandardTxSigopsCost)
      throw new MempoolRejectError('bad-txns-too-many-sigops', { details: String(sigopCost) });

    const weight = txWeight(tx);
    const vsize = Math.ceil(weight / 4);
    if (!options.bypassLimits) {
      const minFee = feeForVsize(POLICY.minRelayFeeRate, vsize);
      if (fee < minFee) throw new MempoolRejectError('min relay fee not met', { details: `${fee} < ${minFee}` });
      const poolFee = feeForVsize(this.minFeeRate(), vsize);
      if (fee < poolFee) throw new MempoolRejectError('mempool min fee not met', { details: `${fee} < ${poolFee}` });
    }

    if (options.maxFeeRate !== undefined && options.maxFeeRate > 0n) {
      const maxFee = (options.maxFeeRate * BigInt(vsize)) / 1000n;
      if (fee > maxFee) throw new MempoolRejectError('max-fee-exceeded', { details: `${fee} > ${maxFee}` });
    }

    // Ancestors are those of the new transaction once the replaced ones are gone.
    const ancestors = new Set<MempoolEntry>();
    for (const p of parents) {
      ancestors.add(p);
      for (const a of this.ancestors(p)) ancestors.add(a);
    }
    const evicted = new Set<MempoolEntry>();
    if (conflicts.size > 0) this.checkReplacement(id, tx, fee, vsize, conflicts, ancestors, evicted);
    if (!options.bypassLimits) this.checkPackageLimits(vsize, ancestors, evicted);

    this.checkScripts(tx, prevouts);

    const entry: MempoolEntry = {
      tx,
      txid,
      id,
      wtxid,
      fee,
      vsize,
      weight,
      size: encodeTransaction(tx).length,
      sigopCost,
      time: this.now(),
      height: tip.height,
      parents,
      children: new Set(),
    };
    if (options.testOnly) return { entry, replaced: [...evicted] };
    for (const e of evicted) this.removeEntry(e, 'replaced');
    this.entries.set(id, entry);
    this.totalSize += entry.size;
    for (const input of tx.inputs) this.spenders.set(outpointKey(input.txid, input.vout), entry);
    for (const p of parents) p.children.add(entry);
    this.sequence++;
    for (const l of this.listeners) l.txAdded?.(entry);
    if (!options.bypassLimits) {
      this.trimToSize();
      if (!this.entries.has(id)) throw new MempoolRejectError('mempool full');
    }
    return { entry, replaced: [...evicted] };
  }

  private rollingMinFee = 0;
  private rollingUpdated = 0;

  /** The feerate (sat/kvB) a new transaction must pay: the relay minimum, or more after evictions (decaying). */
  minFeeRate(): number {
    if (this.rollingMinFee > 0) {
      const now = this.now();
      this.rollingMinFee /= 2 ** ((now - this.rollingUpdated) / ROLLING_FEE_HALFLIFE);
      this.rollingUpdated = now;
      if (this.rollingMinFee < POLICY.incrementalRelayFeeRate / 2) this.rollingMinFee = 0;
    }
    return Math.max(POLICY.minRelayFeeRate, this.rollingMinFee);
  }

  /**
   * Core's TrimToSize: while the pool is too big, evict the transaction (with its descendants) whose descendant
   * score is lowest, and raise the minimum fee above the evicted feerate.
   */
  private trimToSize(): void {
    while (this.totalSize > this.maxBytes && this.entries.size > 0) {
      let worst: { entry: MempoolEntry; rate: number } | undefined;
      for (const e of this.entries.values()) {
        let fee = e.fee;
        let size = e.vsize;
        for (const d of this.descendants(e)) {
          fee += d.fee;
          size += d.vsize;
        }
        const rate = Math.max(feeRate(e.fee, e.vsize), feeRate(fee, size));
        if (!worst || rate < worst.rate) worst = { entry: e, rate };
      }
      if (!worst) break;
      this.rollingMinFee = Math.max(this.rollingMinFee, worst.rate + POLICY.incrementalRelayFeeRate);
      this.rollingUpdated = this.now();
      this.removeWithDescendants(worst.entry, 'size-limit');
    }
  }

  /** BIP125 as Core applies it (rules 2–5; every transaction is replaceable, as with Core 28's full RBF). */
  private checkReplacement(
    id: string,
    tx: Transaction,
    fee: bigint,
    vsize: number,
    conflicts: Set<MempoolEntry>,
    ancestors: Set<MempoolEntry>,
    evicted: Set<MempoolEntry>,
  ): void {
    for (const c of conflicts) {
      evicted.add(c);
      for (const d of this.descendants(c)) evicted.add(d);
    }
    for (const a of ancestors)
      if (evicted.has(a))
        throw new MempoolRejectError('bad-txns-spends-conflicting-tx', {
          details: `${id} spends conflicting transaction ${a.id}`,
        });
    if (evicted.size > POLICY.maxReplacementEvictions)
      throw new MempoolRejectError('too many potential replacements', {
        details: `rejecting replacement ${id}; too many potential replacements (${evicted.size} > ${POLICY.maxReplacementEvictions})`,
      });
    const conflictInputs = new Set<string>();
    for (const c of conflicts) for (const input of c.tx.inputs) conflictInputs.add(hashToHex(input.txid));
    for (const input of tx.inputs) {
      const parentId = hashToHex(input.txid);
      if (this.entries.has(parentId) && !conflictInputs.has(parentId))
        throw new MempoolRejectError('replacement-adds-unconfirmed', {
          details: `replacement ${id} adds unconfirmed input, idx ${tx.inputs.indexOf(input)}`,
        });
    }
    const newRate = feeRate(fee, vsize);
    for (const c of conflicts) {
      const oldRate = feeRate(c.fee, c.vsize);
      if (newRate <= oldRate)
        throw new MempoolRejectError('insufficient fee', {
          details: `rejecting replacement ${id}; new feerate ${formatRate(newRate)} <= old feerate ${formatRate(oldRate)}`,
        });
    }
    let evictedFees = 0n;
    for (const e of evicted) evictedFees += e.fee;
    if (fee < evictedFees)
      throw new MempoolRejectError('insufficient fee', {
        details: `rejecting replacement ${id}, less fees than conflicting txs; ${formatBtc(fee)} < ${formatBtc(evictedFees)}`,
      });
    const additional = fee - evictedFees;
    const needed = feeForVsize(POLICY.incrementalRelayFeeRate, vsize);
    if (additional < needed)
      throw new MempoolRejectError('insufficient fee', {
        details: `rejecting replacement ${id}, not enough additional fees to relay; ${formatBtc(additional)} < ${formatBtc(needed)}`,
      });
  }

  private checkPackageLimits(vsize: number, ancestors: Set<MempoolEntry>, evicted: Set<MempoolEntry>): void {
    const live = [...ancestors].filter((a) => !evicted.has(a));
    if (live.length + 1 > POLICY.ancestorLimitCount)
      throw new MempoolRejectError('too-long-mempool-chain', {
        details: `too many unconfirmed ancestors [limit: ${POLICY.ancestorLimitCount}]`,
      });
    const ancestorSize = live.reduce((s, a) => s + a.vsize, vsize);
    if (ancestorSize > POLICY.ancestorLimitVsize)
      throw new MempoolRejectError('too-long-mempool-chain', {
        details: `exceeds ancestor size limit [limit: ${POLICY.ancestorLimitVsize}]`,
      });
    for (const a of live) {
      const desc = [...this.descendants(a)].filter((d) => !evicted.has(d));
      if (desc.length + 2 > POLICY.descendantLimitCount)
        throw new MempoolRejectError('too-long-mempool-chain', {
          details: `too many descendants for tx ${a.id} [limit: ${POLICY.descendantLimitCount}]`,
        });
      const size = desc.reduce((s, d) => s + d.vsize, a.vsize + vsize);
      if (size > POLICY.descendantLimitVsize)
        throw new MempoolRejectError('too-long-mempool-chain', {
          details: `exceeds descendant size limit for tx ${a.id} [limit: ${POLICY.descendantLimitVsize}]`,
        });
    }
  }

  /** Standard flags first; on failure, consensus flags decide between Core's two reject reasons. */
  private checkScripts(tx: Transaction, prevouts: TxOutput[]): void {
    if (!this.verifier) return;
    try {
      this.verifier({ tx, prevouts, policy: 'standard' });
    } catch (err) {
      let consensusOk = true;
      try {
        this.verifier({ tx, prevouts, policy: 'consensus' });
      } catch {
        consensusOk = false;
      }
      const reason = consensusOk ? 'non-mandatory-script-verify-flag' : 'mandatory-script-verify-flag-failed';
      const where = err instanceof Error ? err.message : String(err);
      void where;
      throw new MempoolRejectError(`${reason} (${scriptErrorText(err)})`, { cause: err });
    }
  }

  private removeEntry(entry: MempoolEntry, reason: RemovalReason): void {
    if (!this.entries.delete(entry.id)) return;
    this.totalSize -= entry.size;
    for (const input of entry.tx.inputs) {
      const key = outpointKey(input.txid, input.vout);
      if (this.spenders.get(key) === entry) this.spenders.delete(key);
    }
    for (const p of entry.parents) p.children.delete(entry);
    for (const c of entry.children) c.parents.delete(entry);
    this.sequence++;
    for (const l of this.listeners) l.txRemoved?.(entry, reason);
  }

  /** Removes `entry` and everything that spends it. */
  removeWithDescendants(entry: MempoolEntry, reason: RemovalReason): void {
    const all = [entry, ...this.descendants(entry)];
    for (const e of all) this.removeEntry(e, reason);
  }

  private onBlockConnected(block: Block, txids: Uint8Array[]): void {
    block.txs.forEach((tx, i) => {
      const mine = this.entries.get(hashToHex(txids[i]));
      if (mine) {
        // Its children now spend confirmed outputs.
        for (const c of mine.children) c.parents.delete(mine);
        mine.children.clear();
        this.removeEntry(mine, 'block');
      }
      if (isCoinbase(tx)) return;
      for (const input of tx.inputs) {
        const other = this.spenders.get(outpointKey(input.txid, input.vout));
        if (other) this.removeWithDescendants(other, 'conflict');
      }
    });
  }

  /**
   * After a reorg, puts the disconnected blocks' transactions back and re-checks every pooled one against the new
   * tip, dropping those no longer valid (spent inputs, immature coinbase spends, lock times), as Core does.
   */
  private onTipChanged(_tip: BlockEntry): void {
    if (!this.disconnected) return;
    this.disconnected = false;
    const candidates = [...this.resurrect, ...[...this.entries.values()].map((e) => e.tx)];
    this.resurrect = [];
    for (const e of [...this.entries.values()]) this.removeEntry(e, 'reorg');
    for (const tx of candidates) {
      try {
        this.accept(tx, { bypassLimits: true });
      } catch (err) {
        if (!(err instanceof MempoolRejectError)) throw err;
      }
    }
  }
}

function formatRate(satPerKvB: number): string {
  return (satPerKvB / 1e8).toFixed(8);
}

function formatBtc(sats: bigint): string {
  const neg = sats < 0n;
  const abs = neg ? -sats : sats;
  return `${neg ? '-' : ''}${abs / 100_000_000n}.${(abs % 100_000_000n).toString().padStart(8, '0')}`;
}
