import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { isUnspendable, type BlockEntry } from '../chain/chain.ts';
import { classifyOutput, scriptToAsm } from '../chain/scriptops.ts';
import { feeRate, MempoolRejectError, POLICY, type MempoolEntry } from '../mempool/index.ts';
import { decodeTransaction, encodeTransaction, hash256, hashToHex, isCoinbase, type Transaction } from '../tx/index.ts';
import { addressToScript, scriptToAddress, toHex } from './address.ts';
import type { MethodDef, RpcContext } from './context.ts';
import { stripChecksum } from './descriptor.ts';
import { RPC, RpcError } from './errors.ts';
import { inferDescriptor, scriptPubKeyJson, txToJson } from './format.ts';
import { btc } from './json.ts';
import { isHex, type Args } from './params.ts';

/** 0.10 BTC/kvB, Core's default maxfeerate for sendrawtransaction and testmempoolaccept. */
const DEFAULT_MAX_FEE_RATE = 10_000_000n;

/** Core's DecodeHexTx: tries the witness serialization, then the legacy one. */
export function decodeRawTx(hexText: string, message = 'TX decode failed'): Transaction {
  if (!isHex(hexText)) throw new RpcError(RPC.DESERIALIZATION_ERROR, message);
  // Plain bytes: a Buffer's slice() is a view, and reversing hashes in place would corrupt the transaction.
  const bytes = hexToBytes(hexText);
  try {
    return decodeTransaction(bytes);
  } catch (first) {
    try {
      return decodeTransaction(bytes, { allowWitness: false });
    } catch {
      throw new RpcError(RPC.DESERIALIZATION_ERROR, message, first);
    }
  }
}

function entryJson(ctx: RpcContext, e: MempoolEntry) {
  const ancestors = ctx.mempool.ancestors(e);
  const descendants = ctx.mempool.descendants(e);
  const sum = (set: Set<MempoolEntry>, f: (x: MempoolEntry) => number | bigint) =>
    [...set].reduce<bigint>((s, x) => s + BigInt(f(x)), 0n);
  return {
    vsize: e.vsize,
    weight: e.weight,
    time: e.time,
    height: e.height,
    descendantcount: descendants.size + 1,
    descendantsize: Number(sum(descendants, (x) => x.vsize)) + e.vsize,
    ancestorcount: ancestors.size + 1,
    ancestorsize: Number(sum(ancestors, (x) => x.vsize)) + e.vsize,
    wtxid: e.wtxid,
    fees: {
      base: btc(e.fee),
      modified: btc(e.fee),
      ancestor: btc(sum(ancestors, (x) => x.fee) + e.fee),
      descendant: btc(sum(descendants, (x) => x.fee) + e.fee),
    },
    depends: [...e.parents].map((p) => p.id),
    spentby: [...e.children].map((c) => c.id),
    'bip125-replaceable': true,
    unbroadcast: false,
  };
}

function mempoolEntryById(ctx: RpcContext, a: Args): MempoolEntry {
  const e = ctx.mempool.get(hashToHex(a.hash(0, 'txid')));
  if (!e) throw new RpcError(RPC.INVALID_ADDRESS_OR_KEY, 'Transaction not in mempool');
  return e;
}

/** Output scripts a scantxoutset descriptor selects (addr(), raw(), rawtr()). */
function descriptorScript(text: string): Uint8Array {
  const { desc, ok } = stripChecksum(text.trim());
  if (!ok) throw new RpcError(RPC.INVALID_ADDRESS_OR_KEY, `Provided checksum does not match computed checksum`);
  const m = /^(addr|raw|rawtr)\((.*)\)$/.exec(desc);
  if (!m)
    throw new RpcError(RPC.INVALID_ADDRESS_OR_KEY, `Unsupported descriptor '${desc}' (addr(), raw() and rawtr() are)`);
  if (m[1] === 'addr') return addressToScript(m[2]);
  if (!isHex(m[2])) throw new RpcError(RPC.INVALID_ADDRESS_OR_KEY, `${m[1]}(): invalid hex`);
  const bytes = hexToBytes(m[2]);
  if (m[1] === 'raw') return new Uint8Array(bytes);
  if (bytes.length !== 32) throw new RpcError(RPC.INVALID_ADDRESS_OR_KEY, 'rawtr(): expected a 32-byte x-only key');
  return Uint8Array.of(0x51, 0x20, ...bytes);
}

/** The output script of generateblock's `output`: an address or a descriptor. */
export function outputScript(text: string): Uint8Array {
  try {
    return addressToScript(text);
  } catch {
    try {
      return descriptorScript(text);
    } catch {
      throw new RpcError(RPC.INVALID_ADDRESS_OR_KEY, 'Error: Invalid address or descriptor');
    }
  }
}

function rejectToRpc(err: MempoolRejectError): RpcError {
  if (err.kind === 'missing-inputs') return new RpcError(RPC.VERIFY_ERROR, 'Inputs missing or spent', err);
  if (err.kind === 'already-in-chain')
    return new RpcError(RPC.VERIFY_ALREADY_IN_CHAIN, 'Transaction outputs already in utxo set', err);
  if (err.reason === 'max-fee-exceeded')
    return new RpcError(RPC.VERIFY_ERROR, 'Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)', err);
  return new RpcError(RPC.VERIFY_REJECTED, err.toRejectString(), err);
}

/** getrawtransaction verbosity 2 (Core 25+): the spent outputs and the fee, from the block's undo data. */
async function addPrevouts(ctx: RpcContext, entry: BlockEntry, tx: Transaction, json: Record<string, unknown>) {
  if (!ctx.chain.isActive(entry)) return;
  const block = await ctx.chain.readBlock(entry);
  const undo = await ctx.chain.readUndo(entry);
  const id = hashToHex(hash256(encodeTransaction(tx, { witness: false })));
  let offset = 0;
  for (const other of block.txs) {
    if (hashToHex(hash256(encodeTransaction(other, { witness: false }))) === id) break;
    if (!isCoinbase(other)) offset += other.inputs.length;
  }
  const spent = undo.slice(offset, offset + tx.inputs.length);
  if (spent.length !== tx.inputs.length) return;
  const vin = json.vin as Record<string, unknown>[];
  spent.forEach((coin, i) => {
    vin[i].prevout = {
      generated: coin.coinbase,
      height: coin.height,
      value: btc(coin.value),
      scriptPubKey: scriptPubKeyJson(coin.script),
    };
  });
  const valueIn = spent.reduce((sum, c) => sum + c.value, 0n);
  json.fee = btc(valueIn - tx.outputs.reduce((sum, o) => sum + o.value, 0n));
}

export const txMethods: Record<string, MethodDef> = {
  getrawtransaction: {
    params: ['txid', 'verbose', 'blockhash'],
    handler: async (a, ctx) => {
      const txid = a.hash(0, 'txid');
      let verbosity = 0;
      if (a.has(1)) {
        const v = a.values[1];
        verbosity = typeof v === 'boolean' ? (v ? 1 : 0) : a.int(1, 'verbosity');
      }
      const id = hashToHex(txid);
      let found: { tx: Transaction; blockId?: string } | undefined;
      if (a.has(2)) {
        const blockId = hashToHex(a.hash(2, 'blockhash'));
        const entry = ctx.chain.entry(blockId);
        if (!entry) throw new RpcError(RPC.INVALID_ADDRESS_OR_KEY, 'Block hash not found');
        const block = await ctx.chain.readBlock(entry);
        const tx = block.txs.find((t) => hashToHex(hash256(encodeTransaction(t, { witness: false }))) === id);
        if (!tx)
          throw new RpcError(
            RPC.INVALID_ADDRESS_OR_KEY,
            'No such transaction found in the provided block. Use gettransaction for wallet transactions.',
          );
        found = { tx, blockId };
      } else {
        const pooled = ctx.mempool.get(id);
        if (pooled) found = { tx: pooled.tx };
        else {
          const hit = await ctx.chain.findTransaction(txid);
          if (hit) found = { tx: hit.tx, blockId: hit.entry.id };
        }
      }
      if (!found)
        throw new RpcError(
          RPC.INVALID_ADDRESS_OR_KEY,
          'No such mempool or blockchain transaction. Use gettransaction for wallet transactions.',
        );
      if (verbosity <= 0) return bytesToHex(encodeTransaction(found.tx));
      const json: Record<string, unknown> = { ...txToJson(found.tx, { hex: true }) };
      if (found.blockId) {
        const entry = ctx.chain.entry(found.blockId);
        if (entry && verbosity >= 2 && !isCoinbase(found.tx)) await addPrevouts(ctx, entry, found.tx, json);
        if (entry) {
          json.blockhash = entry.id;
          const active = ctx.chain.isActive(entry);
          json.confirmations = active ? ctx.chain.height - entry.height + 1 : 0;
          json.time = entry.header.time;
          json.blocktime = entry.header.time;
          json.in_active_chain = a.has(2) ? active : undefined;
        }
      }
      return json;
    },
  },
  decoderawtransaction: {
    params: ['hexstring', 'iswitness'],
    handler: (a) => {
      const tx = decodeRawTx(a.string(0, 'hexstring'));
      return txToJson(tx);
    },
  },
  decodescript: {
    params: ['hexstring'],
    handler: (a) => {
      const script = a.hex(0, 'hexstring');
      return {
        asm: scriptToAsm(script),
        desc: inferDescriptor(script),
        type: classifyOutput(script).type,
        address: scriptToAddress(script),
      };
    },
  },
  sendrawtransaction: {
    params: ['hexstring', 'maxfeerate', 'maxburnamount'],
    handler: async (a, ctx) => {
      const tx = decodeRawTx(a.string(0, 'hexstring'), 'TX decode failed. Make sure the tx has at least one input.');
      const maxFeeRate = a.amount(1, 'maxfeerate', DEFAULT_MAX_FEE_RATE);
      const maxBurn = a.amount(2, 'maxburnamount', 0n);
      for (const out of tx.outputs)
        if (isUnspendable(out.script) && out.value > maxBurn)
          throw new RpcError(RPC.VERIFY_ERROR, 'Unspendable output exceeds maximum configured by user (maxburnamount)');
      return ctx.chain.withLock(async () => {
        try {
          const id = ctx.mempool.accept(tx, { maxFeeRate }).entry.id;
          await ctx.persist();
          return id;
        } catch (err) {
          if (err instanceof MempoolRejectError) {
            if (err.kind === 'already-in-mempool') return hashToHex(hash256(encodeTransaction(tx, { witness: false })));
            throw rejectToRpc(err);
          }
          throw err;
        }
      });
    },
  },
  testmempoolaccept: {
    params: ['rawtxs', 'maxfeerate'],
    handler: async (a, ctx) => {
      const raws = a.array(0, 'rawtxs');
      if (raws.length < 1 || raws.length > 25)
        throw new RpcError(RPC.INVALID_PARAMETER, 'Array must contain between 1 and 25 transactions.');
      const maxFeeRate = a.amount(1, 'maxfeerate', DEFAULT_MAX_FEE_RATE);
      const txs = raws.map((r) => {
        if (typeof r !== 'string') throw new RpcError(RPC.TYPE_ERROR, 'JSON value is not a string as expected');
        return decodeRawTx(r);
      });
      return ctx.chain.withLock(async () => {
        // Later transactions may spend earlier ones that passed (a package), as Core's package checks allow.
        const accepted: MempoolEntry[] = [];
        return txs.map((tx) => {
          const txid = hashToHex(hash256(encodeTransaction(tx, { witness: false })));
          const wtxid = hashToHex(hash256(encodeTransaction(tx)));
          try {
            const { entry } = ctx.mempool.accept(tx, { testOnly: true, maxFeeRate, package: accepted });
            accepted.push(entry);
            return {
              txid,
              wtxid,
              allowed: true,
              vsize: entry.vsize,
              fees: {
                base: btc(entry.fee),
                'effective-feerate': btc(BigInt(Math.round(feeRate(entry.fee, entry.vsize)))),
                'effective-includes': [wtxid],
              },
            };
          } catch (err) {
            if (!(err instanceof MempoolRejectError)) throw err;
            return { txid, wtxid, allowed: false, 'reject-reason': err.reason };
          }
        });
      });
    },
  },
  gettxout: {
    params: ['txid', 'n', 'include_mempool'],
    handler: (a, ctx) => {
      const txid = a.hash(0, 'txid');
      const n = a.int(1, 'n');
      const includeMempool = a.bool(2, 'include_mempool', true);
      const tip = ctx.chain.tip;
      if (includeMempool && ctx.mempool.spender(txid, n)) return null;
      const coin = ctx.chain.getCoin(txid, n);
      if (coin)
        return {
          bestblock: tip.id,
          confirmations: tip.height - coin.height + 1,
          value: btc(coin.value),
          scriptPubKey: scriptPubKeyJson(coin.script),
          coinbase: coin.coinbase,
        };
      const out = includeMempool ? ctx.mempool.output(txid, n) : undefined;
      if (!out) return null;
      return {
        bestblock: tip.id,
        confirmations: 0,
        value: btc(out.value),
        scriptPubKey: scriptPubKeyJson(out.script),
        coinbase: false,
      };
    },
  },
  scantxoutset: {
    params: ['action', 'scanobjects'],
    handler: (a, ctx) => {
      const action = a.string(0, 'action');
      if (action === 'status') return null;
      if (action === 'abort') return false;
      if (action !== 'start') throw new RpcError(RPC.INVALID_PARAMETER, 'Invalid action argument');
      const objects = a.array(1, 'scanobjects');
      const wanted = new Map<string, string>();
      for (const o of objects) {
        const text =
          typeof o === 'string'
            ? o
            : typeof o === 'object' && o && 'desc' in o
              ? (o as { desc: unknown }).desc
              : undefined;
        if (typeof text !== 'string')
          throw new RpcError(RPC.INVALID_PARAMETER, 'Scan object needs to be either a string or an object');
        wanted.set(toHex(descriptorScript(text)), text);
      }
      const unspents: unknown[] = [];
      let total = 0n;
      let count = 0;
      for (const [key, coin] of ctx.chain.utxos()) {
        count++;
        const scriptHex = toHex(coin.script);
        if (!wanted.has(scriptHex)) continue;
        const [txHex, vout] = key.split(':');
        total += coin.value;
        unspents.push({
          txid: hashToHex(hexToBytes(txHex)),
          vout: Number(vout),
          scriptPubKey: scriptHex,
          desc: inferDescriptor(coin.script),
          amount: btc(coin.value),
          coinbase: coin.coinbase,
          height: coin.height,
          blockhash: ctx.chain.entryAt(coin.height)?.id,
          confirmations: ctx.chain.height - coin.height + 1,
        });
      }
      return {
        success: true,
        txouts: count,
        height: ctx.chain.height,
        bestblock: ctx.chain.tip.id,
        unspents,
        total_amount: btc(total),
      };
    },
  },
  gettxoutsetinfo: {
    params: ['hash_type'],
    handler: (_a, ctx) => {
      // A digest of every coin in outpoint order; Keel's own, not comparable with Core's hash_serialized_3.
      const keys = [...ctx.chain.utxos()].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
      const parts: Uint8Array[] = [];
      let total = 0n;
      const txs = new Set<string>();
      for (const [key, coin] of keys) {
        total += coin.value;
        txs.add(key.split(':')[0]);
        const line = `${key}|${coin.height}|${coin.coinbase ? 1 : 0}|${coin.value}|${toHex(coin.script)};`;
        parts.push(new TextEncoder().encode(line));
      }
      const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let pos = 0;
      for (const p of parts) {
        all.set(p, pos);
        pos += p.length;
      }
      return {
        height: ctx.chain.height,
        bestblock: ctx.chain.tip.id,
        txouts: keys.length,
        transactions: txs.size,
        total_amount: btc(total),
        keel_utxo_hash: bytesToHex(hash256(all)),
      };
    },
  },
  getmempoolinfo: {
    params: [],
    handler: (_a, ctx) => ({
      loaded: true,
      size: ctx.mempool.size,
      bytes: ctx.mempool.all().reduce((s, e) => s + e.vsize, 0),
      usage: ctx.mempool.bytes,
      total_fee: btc(ctx.mempool.all().reduce((s, e) => s + e.fee, 0n)),
      maxmempool: ctx.mempool.maxBytes,
      mempoolminfee: btc(BigInt(Math.ceil(ctx.mempool.minFeeRate()))),
      minrelaytxfee: btc(BigInt(POLICY.minRelayFeeRate)),
      incrementalrelayfee: btc(BigInt(POLICY.incrementalRelayFeeRate)),
      unbroadcastcount: 0,
      fullrbf: true,
    }),
  },
  getrawmempool: {
    params: ['verbose', 'mempool_sequence'],
    handler: (a, ctx) => {
      const verbose = a.bool(0, 'verbose', false);
      const withSequence = a.bool(1, 'mempool_sequence', false);
      if (verbose && withSequence)
        throw new RpcError(RPC.INVALID_PARAMETER, 'Verbose results cannot contain mempool sequence values.');
      const all = ctx.mempool.all();
      if (withSequence) return { txids: all.map((e) => e.id), mempool_sequence: ctx.mempool.sequence };
      if (!verbose) return all.map((e) => e.id);
      const out: Record<string, unknown> = {};
      for (const e of all) out[e.id] = entryJson(ctx, e);
      return out;
    },
  },
  getmempoolentry: { params: ['txid'], handler: (a, ctx) => entryJson(ctx, mempoolEntryById(ctx, a)) },
  getmempoolancestors: {
    params: ['txid', 'verbose'],
    handler: (a, ctx) => [...ctx.mempool.ancestors(mempoolEntryById(ctx, a))].map((e) => e.id),
  },
  getmempooldescendants: {
    params: ['txid', 'verbose'],
    handler: (a, ctx) => [...ctx.mempool.descendants(mempoolEntryById(ctx, a))].map((e) => e.id),
  },
};
