import type { BitcoinClient } from '../bitcoin/index.ts';
import { DEFAULT_CONFIG } from '../rollup/index.ts';
import type { KvStore, ProverQueue, RollupConfig, RollupNode, SignatureVerifier, TreeHasher } from '../rollup/index.ts';
import type { Anchorer } from './finality.ts';
import type { ProofVerifier } from './proofs.ts';

export type L1Options = {
  /** Typed RPC client of the Bitcoin node (embedded or Core). */
  client: BitcoinClient;
  /** The bridge's x-only deposit key; deposits pay P2TR(bridgeKey). */
  bridgeKey: Uint8Array;
  /** Confirmations before a deposit is queued (regtest default 2; use ≥ 6 on real networks). */
  confirmations?: number;
  /** First Bitcoin height scanned on a fresh store (default 1). */
  startHeight?: number;
  pollIntervalMs?: number;
};

export type KeelNodeOptions = {
  rollup: RollupConfig;
  /** The rollup store (LevelStore on disk, MemoryStore in tests); the node closes it on stop. */
  store: KvStore;
  /** Omit to run without deposits (e.g. a node fed by a bridge in-process later). */
  l1?: L1Options;
  rpc?: { port?: number; maxBodyBytes?: number; maxBatch?: number };
  verifier?: SignatureVerifier;
  /** State trees after the BN254 one, kept in lockstep (the STARK's `poseidon2BabyBearHasher`); fixed at genesis. */
  extraHashers?: TreeHasher[];
  /** Seams for the provers and the anchorer (other modules build them). */
  provers?: ProverQueue[];
  /**
   * One verifier per proof system a prover delivers (e.g. `snarkProofVerifier(keys.vk)`): a result counts towards
   * finality only once it verifies against the batch, and is stored with it. A prover without a verifier is refused.
   */
  verifiers?: ProofVerifier[];
  /**
   * The anchorer seam, or a function that builds it from the opened rollup node before block production starts
   * (the anchor module's `(rollup) => anchorer.nodeSeam(rollup)`; batches closed before a restart but not yet
   * posted can be submitted again there without racing new ones).
   */
  anchorer?: Anchorer | ((rollup: RollupNode) => Anchorer | Promise<Anchorer>);
  log?: (line: string) => void;
};

export const REGTEST_CONFIRMATIONS = 2;
export const DEFAULT_RPC_PORT = 18545;
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;
export const DEFAULT_MAX_BATCH = 100;

/** Rollup defaults for a chain, with the operator's fee-account key. */
export function rollupConfig(
  over: Partial<RollupConfig> & Pick<RollupConfig, 'chainId' | 'feeAccountKey'>,
): RollupConfig {
  return { ...DEFAULT_CONFIG, ...over };
}
