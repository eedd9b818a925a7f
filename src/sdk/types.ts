/**
 * Wire shapes of Keel's L2 JSON-RPC (docs/rpc.md). Amounts are decimal strings of satoshis (they can exceed 2^53),
 * hashes and keys are lowercase hex, roots are 0x-prefixed hex field elements.
 */

export type Finality = 'soft' | 'posted' | 'anchored' | 'proven' | 'final';

/** The two proof systems of a batch (ARCHITECTURE decision 2). */
export type ProofSystemName = 'snark' | 'stark';

export type AccountJson = {
  index: number;
  /** packPoint(A), 32 bytes hex. */
  publicKey: string;
  balance: string;
  nonce: number;
  /** Next nonce to use: the account nonce plus its transactions waiting in the mempool. */
  pendingNonce: number;
};

export type TransactionJson =
  | { type: 'transfer'; from: number; to: number; amount: string; fee: string; nonce: number }
  | { type: 'withdraw'; from: number; script: string; amount: string; fee: string; nonce: number };

export type TransactionStatusJson = {
  id: string;
  status: 'pending' | Finality | 'dropped' | 'unknown';
  block?: number;
  position?: number;
  batch?: number;
  /** Proof systems whose proof of the transaction's batch the node verified (snark first). */
  proofs?: ProofSystemName[];
  transaction?: TransactionJson;
  error?: { code: string; message: string };
};

export type OpJson =
  | ({ kind: 'transfer' } & TransactionJson)
  | ({ kind: 'withdraw' } & TransactionJson)
  | {
      kind: 'deposit';
      queueIndex: number;
      index: number;
      amount: string;
      l1Txid: string;
      vout: number;
      l1Height: number;
    }
  | { kind: 'forcedExit'; queueIndex: number; account: number; applied: boolean; withdrawn: string }
  | { kind: 'feeCredit'; amount: string };

export type BlockJson = {
  number: number;
  hash: string;
  parentHash: string;
  timestamp: number;
  l1Height: number;
  roots: string[];
  queueEnd: number;
  batchNumber: number;
  closesBatch: boolean;
  ops: OpJson[];
};

export type WithdrawalJson = { script: string; amount: string };

export type BatchJson = {
  batchNumber: number;
  status: Finality;
  /** Proof systems whose proof of this batch the node verified (snark first). */
  proofs: ProofSystemName[];
  chainId: number;
  firstBlock: number;
  lastBlock: number;
  oldRoots: string[];
  newRoots: string[];
  dataDigest: string;
  withdrawalRoot: string;
  withdrawals: WithdrawalJson[];
  queueStart: number;
  queueEnd: number;
  queueHashStart: string;
  queueHashEnd: string;
  data: string;
  publicInput: string;
};

export type StatusJson = {
  chainId: number;
  height: number;
  roots: string[];
  openBatch: number;
  lastBatch: number;
  mempool: number;
  queue: { length: number; consumed: number };
  l1: { tip: number; scanned: number; confirmations: number; halted: string | null; error: string | null };
  uptimeSeconds: number;
};

export type DepositInfoJson = {
  /** scriptPubKey that deposits pay (P2TR to the bridge key). */
  bridgeScript: string;
  bridgeKey: string;
  /** The OP_RETURN marker prefix: "KEEL" ‖ version. */
  markerPrefix: string;
  confirmations: number;
};

export type SubscriptionKind = 'newBlocks' | 'transactionStatus' | 'batchStatus';

export type BlockNotification = {
  number: number;
  hash: string;
  ops: number;
  batchNumber: number;
  closesBatch: boolean;
};
export type BatchNotification = { batchNumber: number; status: Finality };

/**
 * What a client needs to check a proof itself. SNARK: `{ format: "snarkjs-groth16-bn254", verificationKey }` with the
 * snarkjs verification-key JSON. STARK: `{ format: "keel-stark", … }` with the proof's parameters.
 */
export type ProofKeyJson = { format: string; [field: string]: unknown };

export type BatchProofEntryJson = {
  system: ProofSystemName;
  /** The node checked this proof against the batch before counting it (unverified proofs are never served). */
  verified: boolean;
  verifiedAt: number;
  /** The public input the proof was checked against (0x hex field element). */
  publicInput: string;
  /** Proof bytes in the system's own encoding (SNARK: 256-byte Groth16 encoding), hex. */
  proof: string;
  key: ProofKeyJson;
};

export type BatchProofJson = {
  batchNumber: number;
  status: Finality;
  /** The batch's SNARK public input (protocol §7.3), recomputable from keel_getBatch. */
  publicInput: string;
  oldRoots: string[];
  newRoots: string[];
  /**
   * The L1 queue items the batch consumed (queueStart..queueEnd − 1), canonical encoding as hex: the STARK's public
   * inputs need their keys and scripts; a client checks them against the batch's queue hash chain.
   */
  l1Items: string[];
  proofs: BatchProofEntryJson[];
};
