import { classifyOutput, parseScript, scriptToAsm } from '../chain/scriptops.ts';
import { difficulty, type Block, type BlockEntry, type Chain, type Coin } from '../chain/index.ts';
import { blockWeight } from '../chain/checks.ts';
import {
  encodeTransaction,
  hashToHex,
  isCoinbase,
  txidHex,
  weight as txWeight,
  wtxidHex,
  type Transaction,
} from '../tx/index.ts';
import { scriptToAddress, toHex } from './address.ts';
import { withChecksum } from './descriptor.ts';
import { btc } from './json.ts';

/** Core's inferred descriptor for an output script. */
export function inferDescriptor(script: Uint8Array): string {
  const { type } = classifyOutput(script);
  if (type === 'pubkey') return withChecksum(`pk(${toHex(script.subarray(1, -1))})`);
  if (type === 'witness_v1_taproot') return withChecksum(`rawtr(${toHex(script.subarray(2))})`);
  if (type === 'multisig') {
    const ops = parseScript(script) ?? [];
    const keys = ops.slice(1, -2).map((op) => toHex(op.data ?? new Uint8Array()));
    return withChecksum(`multi(${ops[0].opcode - 0x50},${keys.join(',')})`);
  }
  const address = scriptToAddress(script);
  if (address) return withChecksum(`addr(${address})`);
  return withChecksum(`raw(${toHex(script)})`);
}

export function scriptPubKeyJson(script: Uint8Array) {
  const address = scriptToAddress(script);
  return {
    asm: scriptToAsm(script),
    desc: inferDescriptor(script),
    hex: toHex(script),
    address,
    type: classifyOutput(script).type,
  };
}

/** Core's TxToUniv. `prevouts` (same order as inputs) adds `fee`, as getblock verbosity 2 does. */
export function txToJson(tx: Transaction, opts: { hex?: boolean; fee?: bigint } = {}) {
  const full = encodeTransaction(tx);
  const weight = txWeight(tx);
  const coinbase = isCoinbase(tx);
  return {
    txid: txidHex(tx),
    hash: wtxidHex(tx),
    version: tx.version,
    size: full.length,
    vsize: Math.ceil(weight / 4),
    weight,
    locktime: tx.locktime,
    vin: tx.inputs.map((input) => {
      const witness = input.witness.length ? input.witness.map(toHex) : undefined;
      if (coinbase) return { coinbase: toHex(input.scriptSig), txinwitness: witness, sequence: input.sequence };
      return {
        txid: hashToHex(input.txid),
        vout: input.vout,
        scriptSig: { asm: scriptToAsm(input.scriptSig), hex: toHex(input.scriptSig) },
        txinwitness: witness,
        sequence: input.sequence,
      };
    }),
    vout: tx.outputs.map((out, n) => ({ value: btc(out.value), n, scriptPubKey: scriptPubKeyJson(out.script) })),
    fee: opts.fee === undefined ? undefined : btc(opts.fee),
    hex: opts.hex ? toHex(full) : undefined,
  };
}

export function headerJson(chain: Chain, entry: BlockEntry) {
  const next = chain.isActive(entry) ? chain.entryAt(entry.height + 1) : undefined;
  const h = entry.header;
  return {
    hash: entry.id,
    confirmations: chain.isActive(entry) ? chain.height - entry.height + 1 : -1,
    height: entry.height,
    version: h.version,
    versionHex: (h.version >>> 0).toString(16).padStart(8, '0'),
    merkleroot: hashToHex(h.merkleRoot),
    time: h.time,
    mediantime: entry.medianTimePast,
    nonce: h.nonce,
    bits: h.bits.toString(16).padStart(8, '0'),
    difficulty: difficulty(h.bits),
    chainwork: entry.chainWork.toString(16).padStart(64, '0'),
    nTx: entry.nTx,
    previousblockhash: entry.prev?.id,
    nextblockhash: next?.id,
  };
}

/** getblock verbosity 1 (txids) or 2 (transactions with fees, from undo data). */
export function blockJson(
  chain: Chain,
  entry: BlockEntry,
  block: Block,
  raw: Uint8Array,
  verbosity: 1 | 2,
  undo: Coin[],
) {
  const stripped = encodeStrippedSize(block);
  const head = headerJson(chain, entry);
  let tx: unknown[];
  if (verbosity === 1) tx = block.txs.map(txidHex);
  else {
    let u = 0;
    tx = block.txs.map((t) => {
      if (isCoinbase(t)) return txToJson(t, { hex: true });
      let valueIn = 0n;
      for (let i = 0; i < t.inputs.length; i++) valueIn += undo[u++]?.value ?? 0n;
      const fee = undo.length ? valueIn - t.outputs.reduce((s, o) => s + o.value, 0n) : undefined;
      return txToJson(t, { hex: true, fee });
    });
  }
  const { nextblockhash, previousblockhash, nTx, ...rest } = head;
  return {
    ...rest,
    nTx,
    previousblockhash,
    nextblockhash,
    strippedsize: stripped,
    size: raw.length,
    weight: blockWeight(block),
    tx,
  };
}

function encodeStrippedSize(block: Block): number {
  let n = 80 + (block.txs.length < 0xfd ? 1 : 3);
  for (const t of block.txs) n += encodeTransaction(t, { witness: false }).length;
  return n;
}
