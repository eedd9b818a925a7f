export { Mempool, feeRate } from './mempool.ts';
export type { AcceptOptions, AcceptResult, MempoolEntry, MempoolListener, RemovalReason } from './mempool.ts';
export { MempoolRejectError } from './errors.ts';
export type { RejectKind } from './errors.ts';
export { FeeEstimator } from './fees.ts';
export {
  POLICY,
  dustThreshold,
  feeForVsize,
  inputsStandard,
  isDust,
  standardTxReason,
  witnessStandard,
} from './policy.ts';
export { MempoolJournal } from './journal.ts';
