export { BitcoinNode, NodeError } from './node.ts';
export type { BitcoinNodeOptions } from './node.ts';
export { CONSENSUS_FLAGS, scriptVerifier } from './verifier.ts';
