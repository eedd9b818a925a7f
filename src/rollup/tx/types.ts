import type { Signature, PublicKey } from '../crypto/eddsa.ts';

export type Transfer = {
  type: 'transfer';
  from: number;
  to: number;
  amount: bigint;
  fee: bigint;
  nonce: number;
  sig: Signature;
};

export type Withdraw = {
  type: 'withdraw';
  from: number;
  /** Bitcoin scriptPubKey the BTC is paid to (1..42 bytes). */
  script: Uint8Array;
  amount: bigint;
  fee: bigint;
  nonce: number;
  sig: Signature;
};

/** A transaction users submit to the L2 node. */
export type L2Transaction = Transfer | Withdraw;

/** A peg-in seen on Bitcoin. `txid` is in serialization (outpoint) byte order. */
export type DepositItem = {
  type: 'deposit';
  txid: Uint8Array;
  vout: number;
  l1Height: number;
  pubKey: PublicKey;
  amount: bigint;
};

/** A forced exit requested on Bitcoin, authorised by the account's L2 key. */
export type ForcedExitItem = {
  type: 'forcedExit';
  txid: Uint8Array;
  vout: number;
  l1Height: number;
  account: number;
  nonce: number;
  script: Uint8Array;
  sig: Signature;
};

export type L1Item = DepositItem | ForcedExitItem;

/** One state-changing step of a block (protocol §7). */
export type Op =
  | { kind: 'transfer'; tx: Transfer }
  | { kind: 'withdraw'; tx: Withdraw }
  | { kind: 'deposit'; queueIndex: number; item: DepositItem; index: number }
  | { kind: 'forcedExit'; queueIndex: number; item: ForcedExitItem; applied: boolean }
  | { kind: 'feeCredit'; amount: bigint };

export const MAX_SCRIPT_BYTES = 42;
/** Protocol chain ids (u16). */
export const ChainId = { mainnet: 1, testnet: 2, regtest: 3 } as const;
