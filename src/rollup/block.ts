import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { bigToBytesBE, bytesToBigBE } from './crypto/field.ts';
import { fail } from './errors.ts';
import { Reader, Writer } from './tx/bytes.ts';
import { decodeTransaction, encodeTransaction } from './tx/encoding.ts';
import type { Op, L1Item, L2Transaction, DepositItem, ForcedExitItem } from './tx/types.ts';

export type BlockHeader = {
  number: number;
  parentHash: string;
  timestamp: number;
  /** The sequencer's view of the Bitcoin tip when it built the block (forced inclusion is judged against it). */
  l1Height: number;
  /** State roots after the block, one per tree hasher. */
  roots: bigint[];
  /** Queue position after the block's L1 items. */
  queueEnd: number;
  batchNumber: number;
  closesBatch: boolean;
};

/** Forced exits carry what they paid out so that an open batch can be rebuilt after a restart without replay. */
export type StoredOp = Op & { withdrawn?: bigint };
export type Block = { header: BlockHeader; hash: string; ops: StoredOp[] };

const OP = { l2: 1, deposit: 2, forcedExit: 3, feeCredit: 4 } as const;

export function encodeHeader(h: BlockHeader): Uint8Array {
  const w = new Writer().uint(h.number, 8).bytes(hexBytes(h.parentHash)).uint(h.timestamp, 8).u32(h.l1Height);
  w.u8(h.roots.length);
  for (const r of h.roots) w.bytes(bigToBytesBE(r, 32));
  return w
    .uint(h.queueEnd, 8)
    .uint(h.batchNumber, 8)
    .u8(h.closesBatch ? 1 : 0)
    .finish();
}

export function blockHash(h: BlockHeader): string {
  return bytesToHex(sha256(encodeHeader(h)));
}

/** `knownBytes` holds transactions' canonical bytes where the caller has them (saves encoding them again). */
export function encodeBlock(b: Block, knownBytes?: ReadonlyMap<L2Transaction, Uint8Array>): Uint8Array {
  const head = encodeHeader(b.header);
  const w = new Writer().u32(head.length).bytes(head).u32(b.ops.length);
  for (const op of b.ops) {
    switch (op.kind) {
      case 'transfer':
      case 'withdraw': {
        const bytes = knownBytes?.get(op.tx) ?? encodeTransaction(op.tx);
        w.u8(OP.l2).u8(bytes.length).bytes(bytes);
        break;
      }
      case 'deposit':
        w.u8(OP.deposit).uint(op.queueIndex, 8).u32(op.index);
        break;
      case 'forcedExit':
        w.u8(OP.forcedExit)
          .uint(op.queueIndex, 8)
          .u8(op.applied ? 1 : 0)
          .u64(op.withdrawn ?? 0n);
        break;
      case 'feeCredit':
        w.u8(OP.feeCredit).u64(op.amount);
        break;
    }
  }
  return w.finish();
}

/** `queueItem` resolves the L1 items a block refers to by queue position. */
export function decodeBlock(bytes: Uint8Array, queueItem: (index: number) => L1Item | undefined): Block {
  const r = new Reader(bytes, 'block');
  const hr = new Reader(r.bytes(r.u32()), 'block header');
  const number = hr.uint(8);
  const parentHash = bytesToHex(hr.bytes(32));
  const timestamp = hr.uint(8);
  const l1Height = hr.u32();
  const roots: bigint[] = [];
  for (let n = hr.u8(), i = 0; i < n; i++) roots.push(bytesToBigBE(hr.bytes(32)));
  const header: BlockHeader = {
    number,
    parentHash,
    timestamp,
    l1Height,
    roots,
    queueEnd: hr.uint(8),
    batchNumber: hr.uint(8),
    closesBatch: hr.u8() === 1,
  };
  hr.end();
  const ops: StoredOp[] = [];
  for (let n = r.u32(), i = 0; i < n; i++) {
    const kind = r.u8();
    if (kind === OP.l2) {
      const tx = decodeTransaction(r.bytes(r.u8()));
      ops.push(tx.type === 'transfer' ? { kind: 'transfer', tx } : { kind: 'withdraw', tx });
    } else if (kind === OP.deposit) {
      const queueIndex = r.uint(8);
      const item = queueItem(queueIndex);
      if (item?.type !== 'deposit') fail('STORAGE', `block ${number} refers to missing deposit ${queueIndex}`);
      ops.push({ kind: 'deposit', queueIndex, item: item as DepositItem, index: r.u32() });
    } else if (kind === OP.forcedExit) {
      const queueIndex = r.uint(8);
      const item = queueItem(queueIndex);
      if (item?.type !== 'forcedExit') fail('STORAGE', `block ${number} refers to missing forced exit ${queueIndex}`);
      ops.push({
        kind: 'forcedExit',
        queueIndex,
        item: item as ForcedExitItem,
        applied: r.u8() === 1,
        withdrawn: r.u64(),
      });
    } else if (kind === OP.feeCredit) {
      ops.push({ kind: 'feeCredit', amount: r.u64() });
    } else {
      fail('STORAGE', `block ${number}: unknown operation ${kind}`);
    }
  }
  r.end();
  return { header, hash: blockHash(header), ops };
}

function hexBytes(h: string): Uint8Array {
  if (!/^[0-9a-f]{64}$/.test(h)) fail('INVALID_PARAMETER', 'block hash must be 32 bytes of hex');
  return Uint8Array.from(Buffer.from(h, 'hex'));
}

export const ZERO_HASH = '0'.repeat(64);
