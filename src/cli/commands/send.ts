import type { KeelClient, TransactionStatusJson } from '../../sdk/index.ts';
import { progress } from './common.ts';

/** Waits for soft confirmation with progress lines; returns the final status seen. */
export async function followToSoft(c: KeelClient, id: string): Promise<TransactionStatusJson> {
  progress(`accepted ${id}, waiting for an L2 block`);
  const s = await c.waitForTransaction(id, {
    timeoutMs: 60_000,
    onStatus: (st) => {
      if (st.status === 'pending') progress('pending in the mempool');
    },
  });
  if (
    s.status === 'soft' ||
    s.status === 'posted' ||
    s.status === 'anchored' ||
    s.status === 'proven' ||
    s.status === 'final'
  )
    progress(`soft-confirmed in L2 block ${s.block} (batch ${s.batch})`);
  return s;
}
