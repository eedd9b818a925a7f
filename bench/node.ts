/**
 * Embedded node throughput: blocks connected per second for blocks made only of P2TR key-path spends (full
 * consensus validation, Schnorr checks included, no signature cache), and sendrawtransaction calls per second over
 * real HTTP JSON-RPC. Every result is checked before it is timed.
 *
 *   npm run bench:node      (BENCH_NODE_SPENDS=8900 spends per block, about 3.95 MWU: full; BENCH_NODE_BLOCKS=2)
 */
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { mod } from '@noble/curves/abstract/modular.js';
import * as btc from '@scure/btc-signer';
import {
  BitcoinNode,
  Chain,
  MemoryStore,
  PrecomputedTxData,
  blockWeight,
  createBlock,
  createBitcoinClient,
  encodeTransaction,
  http,
  scriptVerifier,
  solve,
  taggedHasher,
  taprootSighash,
  txidHex,
  type Block,
  type Transaction,
} from '../src/bitcoin/index.ts';
import { printTable } from '../src/shared/index.ts';

const SPENDS = Number(process.env.BENCH_NODE_SPENDS ?? 8900);
const BLOCKS = Number(process.env.BENCH_NODE_BLOCKS ?? 2);
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`bench check failed: ${what}`);
}

// A key-path P2TR wallet signing with the engine's own sighash and noble's BIP340 (btc-signer's PSBT path is far
// slower per input; the acceptance tests already cross-check btc-signer's signatures against the node).
const priv = new Uint8Array(32).fill(0x42);
const internal = schnorr.getPublicKey(priv);
const output = btc.p2tr(internal);
const tweak = BigInt('0x' + Buffer.from(taggedHasher('TapTweak')(internal)).toString('hex'));
const d0 = BigInt('0x' + Buffer.from(priv).toString('hex'));
const even = secp256k1.getPublicKey(priv, true)[0] === 0x02;
const tweaked = mod((even ? d0 : N - d0) + tweak, N);
const tweakedKey = Uint8Array.from(Buffer.from(tweaked.toString(16).padStart(64, '0'), 'hex'));

function signSpend(prevTxid: Uint8Array, vout: number, value: bigint, fee: bigint): Transaction {
  const tx: Transaction = {
    version: 2,
    inputs: [{ txid: prevTxid, vout, scriptSig: new Uint8Array(), sequence: 0xfffffffd, witness: [] }],
    outputs: [{ value: value - fee, script: output.script }],
    locktime: 0,
  };
  const prevouts = [{ value, script: output.script }];
  const msg = taprootSighash(new PrecomputedTxData(tx, prevouts), 0, 0, undefined, undefined);
  if (!msg) throw new Error('sighash failed');
  tx.inputs[0].witness = [schnorr.sign(msg, tweakedKey)];
  return tx;
}

function hashOf(tx: Transaction): Uint8Array {
  return Uint8Array.from(Buffer.from(txidHex(tx), 'hex')).reverse();
}

async function main() {
  const verifier = scriptVerifier();
  const source = await Chain.open(new MemoryStore(), { verifier });
  const mine = async (txs: Transaction[]): Promise<Block> => {
    const { block } = createBlock(source, output.script, { txs, fees: 0n });
    check(solve(block.header), 'block solved');
    await source.processBlock(block);
    return block;
  };
  // Coinbases paying our P2TR key, matured.
  const prefix: Block[] = [];
  for (let i = 0; i < 101 + BLOCKS + 1; i++) prefix.push(await mine([]));
  // Fan each coinbase out into SPENDS P2TR outputs, one fan-out per spend block (plus one for the RPC bench).
  const fanouts: Transaction[] = [];
  for (let b = 0; b < BLOCKS + 1; b++) {
    const cb = prefix[b + 1].txs[0];
    const each = (cb.outputs[0].value - 1_000_000n) / BigInt(SPENDS);
    const tx: Transaction = {
      version: 2,
      inputs: [{ txid: hashOf(cb), vout: 0, scriptSig: new Uint8Array(), sequence: 0xffffffff, witness: [] }],
      outputs: Array.from({ length: SPENDS }, () => ({ value: each, script: output.script })),
      locktime: 0,
    };
    const msg = taprootSighash(new PrecomputedTxData(tx, [cb.outputs[0]]), 0, 0, undefined, undefined);
    if (!msg) throw new Error('sighash failed');
    tx.inputs[0].witness = [schnorr.sign(msg, tweakedKey)];
    fanouts.push(tx);
  }
  // One fan-out per block: a fan-out of a full block's worth of outputs is itself about 1.5 MWU.
  for (const fanout of fanouts) prefix.push(await mine([fanout]));

  console.log(`signing ${(BLOCKS + 1) * SPENDS} P2TR key-path spends...`);
  const spendSets = fanouts.map((f) => {
    const id = hashOf(f);
    return f.outputs.map((o, vout) => signSpend(id, vout, o.value, 200n));
  });

  // Check: the source chain connects every spend block (full validation) before anything is timed.
  const spendBlocks: Block[] = [];
  for (let b = 0; b < BLOCKS; b++) spendBlocks.push(await mine(spendSets[b]));
  check(source.height === prefix.length + BLOCKS, `source height ${source.height}`);
  const weight = blockWeight(spendBlocks[0]);

  // Timed: a fresh chain (its own, empty signature cache) connects the same blocks.
  const target = await Chain.open(new MemoryStore(), { verifier: scriptVerifier() });
  for (const block of prefix) await target.processBlock(block);
  const utxosBefore = target.utxoCount;
  const t0 = performance.now();
  for (const block of spendBlocks) await target.processBlock(block);
  const seconds = (performance.now() - t0) / 1000;
  check(target.tip.id === source.tip.id, 'timed chain reached the same tip');
  check(target.utxoCount === utxosBefore + BLOCKS, 'each spend replaced its coin; one new coinbase per block');

  // sendrawtransaction over HTTP JSON-RPC, against a node holding the prefix chain.
  const node = await BitcoinNode.start({ rpcPort: 0, rpcUser: 'bench', rpcPassword: 'bench' });
  try {
    for (const block of prefix) await node.chain.processBlock(block);
    const client = createBitcoinClient({ transport: http(node.rpcUrl, { user: 'bench', password: 'bench' }) });
    const hexes = spendSets[BLOCKS].map((tx) => Buffer.from(encodeTransaction(tx)).toString('hex'));
    const [probe] = await client.testMempoolAccept([hexes[0]]);
    check(probe.allowed === true, `testmempoolaccept: ${probe['reject-reason']}`);
    const t1 = performance.now();
    for (const hex of hexes) await client.sendRawTransaction(hex);
    const rpcSeconds = (performance.now() - t1) / 1000;
    const pool = await client.getMempoolInfo();
    check(pool.size === hexes.length, `mempool holds every sent tx (${pool.size})`);

    const blocksPerSec = BLOCKS / seconds;
    const sendPerSec = hexes.length / rpcSeconds;
    printTable(
      ['measure', 'value'],
      [
        ['P2TR key-path spends per block', SPENDS],
        ['block weight (WU)', weight],
        ['blocks connected', BLOCKS],
        ['blocks connected / s', blocksPerSec.toFixed(3)],
        ['P2TR spends validated / s', ((BLOCKS * SPENDS) / seconds).toFixed(1)],
        ['est. s per 4 MWU block of such spends', ((seconds / BLOCKS) * (4_000_000 / weight)).toFixed(2)],
        ['sendrawtransaction calls', hexes.length],
        ['sendrawtransaction / s', sendPerSec.toFixed(1)],
      ],
    );
    console.log(
      JSON.stringify({
        bench: 'node',
        spends_per_block: SPENDS,
        block_weight: weight,
        blocks_per_sec: Number(blocksPerSec.toFixed(3)),
        p2tr_spends_per_sec: Number(((BLOCKS * SPENDS) / seconds).toFixed(1)),
        sendrawtransaction_per_sec: Number(sendPerSec.toFixed(1)),
      }),
    );
  } finally {
    await node.stop();
  }
}

await main();
