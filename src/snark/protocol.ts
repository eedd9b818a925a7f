// Everything this module needs from the rollup, in one place: the protocol's hash, messages and types. The circuit
// re-implements docs/protocol.md; these are the reference it is cross-tested against.
export { poseidon, packScript, verify as verifyEdDSA, l1ItemHash, forcedExitMessage } from '../rollup/index.ts';
export type { Account, BatchOutput, Op, ProverJob, ProverQueue, ProofResult, Signature } from '../rollup/index.ts';
