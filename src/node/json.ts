import { packPoint } from '../rollup/index.ts';
import type { Account, BatchOutput, Block, L2Transaction, Op } from '../rollup/index.ts';
import type {
  AccountJson,
  BatchJson,
  BlockJson,
  Finality,
  OpJson,
  ProofSystemName,
  TransactionJson,
} from '../sdk/types.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const field = (v: bigint): string => `0x${v.toString(16)}`;

export function accountJson(index: number, a: Readonly<Account>, pendingNonce: number): AccountJson {
  return {
    index,
    publicKey: hex(packPoint({ x: a.ax, y: a.ay })),
    balance: a.balance.toString(),
    nonce: a.nonce,
    pendingNonce,
  };
}

export function transactionJson(tx: L2Transaction): TransactionJson {
  return tx.type === 'transfer'
    ? { type: 'transfer', from: tx.from, to: tx.to, amount: `${tx.amount}`, fee: `${tx.fee}`, nonce: tx.nonce }
    : {
        type: 'withdraw',
        from: tx.from,
        script: hex(tx.script),
        amount: `${tx.amount}`,
        fee: `${tx.fee}`,
        nonce: tx.nonce,
      };
}

function opJson(op: Op & { withdrawn?: bigint }): OpJson {
  switch (op.kind) {
    case 'transfer':
    case 'withdraw':
      return { kind: op.kind, ...transactionJson(op.tx) } as OpJson;
    case 'deposit':
      return {
        kind: 'deposit',
        queueIndex: op.queueIndex,
        index: op.index,
        amount: `${op.item.amount}`,
        l1Txid: Buffer.from(op.item.txid).reverse().toString('hex'),
        vout: op.item.vout,
        l1Height: op.item.l1Height,
      };
    case 'forcedExit':
      return {
        kind: 'forcedExit',
        queueIndex: op.queueIndex,
        account: op.item.account,
        applied: op.applied,
        withdrawn: `${op.withdrawn ?? 0n}`,
      };
    case 'feeCredit':
      return { kind: 'feeCredit', amount: `${op.amount}` };
  }
}

export function blockJson(b: Block): BlockJson {
  const h = b.header;
  return {
    number: h.number,
    hash: b.hash,
    parentHash: h.parentHash,
    timestamp: h.timestamp,
    l1Height: h.l1Height,
    roots: h.roots.map(field),
    queueEnd: h.queueEnd,
    batchNumber: h.batchNumber,
    closesBatch: h.closesBatch,
    ops: b.ops.map(opJson),
  };
}

export function batchJson(b: BatchOutput, status: Finality, proofs: ProofSystemName[] = []): BatchJson {
  return {
    batchNumber: b.batchNumber,
    status,
    proofs,
    chainId: b.chainId,
    firstBlock: b.firstBlock,
    lastBlock: b.lastBlock,
    oldRoots: b.oldRoots.map(field),
    newRoots: b.newRoots.map(field),
    dataDigest: field(b.dataDigest),
    withdrawalRoot: field(b.withdrawalRoot),
    withdrawals: b.withdrawals.map((w) => ({ script: hex(w.script), amount: `${w.amount}` })),
    queueStart: b.queueStart,
    queueEnd: b.queueEnd,
    queueHashStart: field(b.queueHashStart),
    queueHashEnd: field(b.queueHashEnd),
    data: hex(b.data),
    publicInput: field(b.publicInput),
  };
}

export { field as fieldHex };
