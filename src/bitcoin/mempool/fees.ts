import type { Chain } from '../chain/chain.ts';
import { hashToHex } from '../tx/index.ts';
import { feeRate, type Mempool, type MempoolEntry } from './mempool.ts';
import { POLICY } from './policy.ts';

interface Sample {
  rate: number;
  /** Blocks from entering the pool to confirmation (1 = next block). */
  delay: number;
  height: number;
}

/**
 * A simple fee estimator: it remembers the feerates of pool transactions that confirmed in the last `window`
 * blocks and how many blocks they waited, and answers with the median rate of those that confirmed within the
 * target. With no such data it answers as Core does when it has none.
 */
export class FeeEstimator {
  private samples: Sample[] = [];
  private pending = new Map<string, MempoolEntry>();

  constructor(
    chain: Chain,
    mempool: Mempool,
    private readonly window = 100,
  ) {
    mempool.addListener({
      txAdded: (e) => this.pending.set(e.id, e),
      txRemoved: (e, reason) => {
        if (reason !== 'block') this.pending.delete(e.id);
      },
    });
    chain.addListener({
      blockConnected: (entry, _block, txids) => {
        for (const id of txids) {
          const e = this.pending.get(hashToHex(id));
          if (!e) continue;
          this.pending.delete(e.id);
          this.samples.push({
            rate: feeRate(e.fee, e.vsize),
            delay: Math.max(1, entry.height - e.height),
            height: entry.height,
          });
        }
        this.samples = this.samples.filter((s) => s.height > entry.height - this.window);
      },
    });
  }

  /** sat per 1000 vbytes, or undefined when there is no data for this target. */
  estimate(target: number): number | undefined {
    const rates = this.samples.filter((s) => s.delay <= target).map((s) => s.rate);
    if (rates.length === 0) return undefined;
    rates.sort((a, b) => a - b);
    return Math.max(rates[Math.floor(rates.length / 2)], POLICY.minRelayFeeRate);
  }
}
