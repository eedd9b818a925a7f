import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { decodeBlock, encodeBlock, ValidationError } from '../chain/index.ts';
import { bitsToTarget, difficulty } from '../chain/pow.ts';
import { POLICY } from '../mempool/index.ts';
import { createBlock } from '../miner/index.ts';
import { encodeTransaction, type Transaction } from '../tx/index.ts';
import { addressToScript } from './address.ts';
import type { MethodDef } from './context.ts';
import { RPC, RpcError } from './errors.ts';
import { btc } from './json.ts';
import { isHex } from './params.ts';
import { decodeRawTx, outputScript } from './methods-tx.ts';

function validationToRpc(err: unknown, prefix: string): never {
  if (err instanceof ValidationError) throw new RpcError(RPC.VERIFY_ERROR, `${prefix}: ${err.toRejectString()}`, err);
  throw err;
}

export const miningMethods: Record<string, MethodDef> = {
  generatetoaddress: {
    params: ['nblocks', 'address', 'maxtries'],
    handler: async (a, ctx) => {
      const n = a.int(0, 'nblocks');
      const script = addressToScript(a.string(1, 'address'));
      const maxTries = a.int(2, 'maxtries', 1_000_000);
      if (n < 0) throw new RpcError(RPC.INVALID_PARAMETER, 'nblocks must be non-negative');
      return ctx.miner.generate(script, n, maxTries);
    },
  },
  generateblock: {
    params: ['output', 'transactions', 'submit'],
    handler: async (a, ctx) => {
      const script = outputScript(a.string(0, 'output'));
      const list = a.array(1, 'transactions');
      const submit = a.bool(2, 'submit', true);
      const txs: Transaction[] = list.map((item) => {
        if (typeof item !== 'string') throw new RpcError(RPC.TYPE_ERROR, 'JSON value is not a string as expected');
        if (item.length === 64 && isHex(item)) {
          const entry = ctx.mempool.get(item);
          if (!entry) throw new RpcError(RPC.INVALID_ADDRESS_OR_KEY, `Transaction ${item} not in mempool.`);
          return entry.tx;
        }
        return decodeRawTx(item, `Transaction decode failed for ${item}. Make sure the tx has at least one input.`);
      });
      try {
        const { hash, block } = await ctx.miner.generateBlock(script, txs, submit);
        if (submit) return { hash };
        return { hash, hex: bytesToHex(encodeBlock(block)) };
      } catch (err) {
        validationToRpc(err, 'TestBlockValidity failed');
      }
    },
  },
  submitblock: {
    params: ['hexdata', 'dummy'],
    handler: async (a, ctx) => {
      const hex = a.string(0, 'hexdata');
      let block;
      try {
        if (!isHex(hex)) throw new Error('not hex');
        block = decodeBlock(hexToBytes(hex));
      } catch (err) {
        throw new RpcError(RPC.DESERIALIZATION_ERROR, 'Block decode failed', err);
      }
      try {
        const { duplicate } = await ctx.chain.processBlock(block);
        return duplicate ? 'duplicate' : null;
      } catch (err) {
        if (err instanceof ValidationError) return err.reason === 'prev-blk-not-found' ? 'inconclusive' : err.reason;
        throw err;
      }
    },
  },
  getblocktemplate: {
    params: ['template_request'],
    handler: (a, ctx) => {
      const request = a.has(0) ? a.object(0, 'template_request') : {};
      const rules = Array.isArray(request.rules) ? request.rules : [];
      if (!rules.includes('segwit'))
        throw new RpcError(
          RPC.INVALID_PARAMETER,
          'getblocktemplate must be called with the segwit rule set (call with {"rules": ["segwit"]})',
        );
      const { block, entries } = createBlock(ctx.chain, Uint8Array.of(0x51), ctx.mempool);
      const index = new Map(entries.map((e, i) => [e.id, i + 1]));
      const tip = ctx.chain.tip;
      const target = bitsToTarget(block.header.bits) ?? 0n;
      return {
        capabilities: ['proposal'],
        version: block.header.version,
        rules: ['csv', '!segwit', 'taproot'],
        vbavailable: {},
        vbrequired: 0,
        previousblockhash: tip.id,
        transactions: entries.map((e) => ({
          data: bytesToHex(encodeTransaction(e.tx)),
          txid: e.id,
          hash: e.wtxid,
          depends: [...e.parents].map((p) => index.get(p.id)).filter((i) => i !== undefined),
          fee: Number(e.fee),
          sigops: e.sigopCost,
          weight: e.weight,
        })),
        coinbaseaux: {},
        coinbasevalue: Number(block.txs[0].outputs[0].value),
        longpollid: `${tip.id}${ctx.mempool.sequence}`,
        target: target.toString(16).padStart(64, '0'),
        mintime: tip.medianTimePast + 1,
        mutable: ['time', 'transactions', 'prevblock'],
        noncerange: '00000000ffffffff',
        sigoplimit: ctx.chain.params.maxBlockSigopsCost,
        sizelimit: ctx.chain.params.maxBlockWeight,
        weightlimit: ctx.chain.params.maxBlockWeight,
        curtime: block.header.time,
        bits: block.header.bits.toString(16).padStart(8, '0'),
        height: tip.height + 1,
        default_witness_commitment: bytesToHex(block.txs[0].outputs[block.txs[0].outputs.length - 1].script),
      };
    },
  },
  getmininginfo: {
    params: [],
    handler: (_a, ctx) => ({
      blocks: ctx.chain.height,
      difficulty: difficulty(ctx.chain.tip.header.bits),
      networkhashps: 0,
      pooledtx: ctx.mempool.size,
      chain: 'regtest',
      warnings: [],
    }),
  },
  estimatesmartfee: {
    params: ['conf_target', 'estimate_mode'],
    handler: (a, ctx) => {
      const target = a.int(0, 'conf_target');
      if (target < 1 || target > 1008)
        throw new RpcError(RPC.INVALID_PARAMETER, 'Invalid conf_target, must be between 1 and 1008');
      const mode = a.optString(1);
      if (mode !== undefined && !['unset', 'economical', 'conservative'].includes(mode.toLowerCase()))
        throw new RpcError(
          RPC.INVALID_PARAMETER,
          'Invalid estimate_mode parameter, must be one of: "unset", "economical", "conservative"',
        );
      const rate = ctx.fees.estimate(target);
      if (rate === undefined) return { errors: ['Insufficient data or no feerate found'], blocks: 0 };
      return { feerate: btc(BigInt(Math.ceil(rate))), blocks: target };
    },
  },
  getnetworkinfo: {
    params: [],
    handler: () => ({
      version: 0,
      subversion: '/Keel:0.1.0/',
      protocolversion: 70016,
      localservices: '0000000000000409',
      localrelay: true,
      timeoffset: 0,
      networkactive: false,
      connections: 0,
      connections_in: 0,
      connections_out: 0,
      networks: [],
      relayfee: btc(BigInt(POLICY.minRelayFeeRate)),
      incrementalfee: btc(BigInt(POLICY.incrementalRelayFeeRate)),
      localaddresses: [],
      warnings: [],
    }),
  },
};
