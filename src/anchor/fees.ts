import type { BitcoinClient } from '../bitcoin/index.ts';
import { btcToSats } from '../bitcoin/index.ts';

export type FeePolicy = {
  /** `estimatesmartfee` confirmation target in blocks. */
  target: number;
  /** sat/vB when the node has no estimate yet (a fresh regtest chain never has one). */
  fallback: number;
  /** sat/vB never exceeded, so a broken estimate cannot drain the sequencer. */
  max: number;
};

export const DEFAULT_FEE_POLICY: FeePolicy = { target: 6, fallback: 2, max: 500 };

/** A fee rate in sat/vB from `estimatesmartfee` (BTC/kvB), clamped to [1, max]. */
export async function estimateFeeRate(client: BitcoinClient, policy: FeePolicy): Promise<number> {
  let rate = policy.fallback;
  try {
    const r = await client.estimateSmartFee(policy.target);
    if (r.feerate !== undefined && r.feerate > 0) rate = Number(btcToSats(r.feerate)) / 1000;
  } catch {
    // An estimator that errors is treated like one without data.
  }
  return Math.min(Math.max(rate, 1), policy.max);
}
