import { replayOp } from './apply.ts';
import type { Applied } from './apply.ts';
import type { Account } from './state/account.ts';
import { Overlay } from './state/state.ts';
import type { State } from './state/state.ts';
import type { Op } from './tx/types.ts';

/** One account touched by an operation, with what a circuit needs to prove the update. */
export type AccountStep = {
  index: number;
  before: Account;
  after: Account;
  /** Siblings (leaf level first) in the state just before this account's update, one list per tree hasher. */
  siblings: bigint[][];
  rootsBefore: bigint[];
  rootsAfter: bigint[];
};

export type OpTrace = { op: Op; applied: Applied; steps: AccountStep[] };

/**
 * Witness data for provers: applies `ops` to `state` one account update at a time (in the order the circuit does
 * them: sender, then receiver), recording every Merkle path. `state` must be the state at the batch start; it is
 * advanced to the batch end. Slow by design (a rehash per update); provers run it off the sequencer's path.
 */
export function traceOps(state: State, ops: readonly Op[], opts: { chainId: number; depth: number }): OpTrace[] {
  const traces: OpTrace[] = [];
  for (const op of ops) {
    const overlay = new Overlay(state);
    const applied = replayOp(op, overlay, { ...opts, verifySignatures: false });
    const order = [...overlay.changes.keys()];
    const steps: AccountStep[] = [];
    for (const index of order) {
      const before = { ...state.getAccount(index) };
      const after = overlay.changes.get(index)!;
      const siblings = state.trees.map((t) => t.proof(index));
      const rootsBefore = state.roots;
      const { roots } = state.commit(new Map([[index, after]]));
      steps.push({ index, before, after: { ...after }, siblings, rootsBefore, rootsAfter: roots });
    }
    traces.push({ op, applied, steps });
  }
  return traces;
}
