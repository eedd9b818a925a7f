import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bytesToHex } from '@noble/hashes/utils.js';
import {
  blockHashHex,
  createBlock,
  encodeBlock,
  makeCoinbase,
  merkleRoot,
  solve,
  txid,
  type Block,
} from '../../../src/bitcoin/index.ts';
import { coinbaseUtxo, hexBytes, spend, startNode, Wallet, type TestNode } from './helpers.ts';

/** Consensus rules for blocks, checked through submitblock: each bad block is refused with Core's reason. */
describe('block validation (submitblock)', () => {
  let t: TestNode;
  const alice = new Wallet(9);
  before(async () => {
    t = await startNode();
    await t.client.generateToAddress(101, alice.p2wpkh.address as string);
  });
  after(async () => {
    await t.node.stop();
  });

  /** A template on the current tip, changed by `mutate`, re-rooted and solved unless told otherwise. */
  const build = (mutate: (b: Block) => void, opts: { remerkle?: boolean; solve?: boolean } = {}): Block => {
    const { block } = createBlock(t.node.chain, alice.p2wpkh.script, { txs: [], fees: 0n });
    mutate(block);
    if (opts.remerkle ?? true) block.header.merkleRoot = merkleRoot(block.txs.map(txid)).root;
    if (opts.solve ?? true) solve(block.header);
    return block;
  };
  const submit = (b: Block) => t.client.submitBlock(bytesToHex(encodeBlock(b)));

  const rejects = async (name: string, block: Block, reason: string | RegExp) => {
    const tip = await t.client.getBestBlockHash();
    const result = await submit(block);
    if (typeof reason === 'string') assert.equal(result, reason, name);
    else assert.match(String(result), reason, name);
    assert.equal(await t.client.getBestBlockHash(), tip, `${name}: tip unchanged`);
  };

  it('accepts a well-formed block and reports duplicates', async () => {
    const good = build(() => {});
    assert.equal(await submit(good), null);
    assert.equal(await t.client.getBestBlockHash(), blockHashHex(good.header));
    assert.equal(await submit(good), 'duplicate');
  });

  it('rejects a bad merkle root', async () => {
    await rejects(
      'merkle',
      build((b) => (b.header.merkleRoot = new Uint8Array(32).fill(7)), { remerkle: false }),
      'bad-txnmrklroot',
    );
  });

  it('rejects insufficient proof of work', async () => {
    const b = build(() => {}, { solve: false });
    // Find a nonce whose hash misses the target.
    while (solveOnce(b)) b.header.nonce++;
    await rejects('pow', b, 'high-hash');
  });

  it('rejects a wrong BIP34 height and an overpaying coinbase', async () => {
    await rejects(
      'bip34',
      build((b) => (b.txs[0] = makeCoinbase(7, alice.p2wpkh.script, 50n * 100_000_000n, []))),
      'bad-cb-height',
    );
    // The witness commitment does not cover the coinbase, so only the amount rule catches this one.
    await rejects(
      'subsidy',
      build((b) => (b.txs[0].outputs[0].value += 1n)),
      'bad-cb-amount',
    );
  });

  it('rejects an early timestamp, a wrong nBits and an old version', async () => {
    await rejects(
      'mtp',
      build((b) => (b.header.time = t.node.chain.tip.medianTimePast)),
      'time-too-old',
    );
    await rejects(
      'future',
      build((b) => (b.header.time = Math.floor(Date.now() / 1000) + 3 * 3600)),
      'time-too-new',
    );
    await rejects(
      'bits',
      build((b) => (b.header.bits = 0x207ffffe)),
      'bad-diffbits',
    );
    await rejects(
      'version',
      build((b) => (b.header.version = 3)),
      'bad-version(0x00000003)',
    );
  });

  it('rejects witness data without a commitment, and a wrong commitment', async () => {
    const cb = await coinbaseUtxo(t.client, 1);
    const tx = hexBytes(spend(alice, [cb], [{ script: alice.p2tr.script, amount: cb.amount - 1000n }]).hex);
    const { decodeTransaction } = await import('../../../src/bitcoin/index.ts');
    const segwitTx = decodeTransaction(tx);
    await rejects(
      'no commitment',
      build((b) => {
        b.txs.push(segwitTx);
        b.txs[0].outputs.pop();
        b.txs[0].inputs[0].witness = [];
      }),
      'unexpected-witness',
    );
    await rejects(
      'wrong commitment',
      build((b) => b.txs.push(segwitTx)),
      'bad-witness-merkle-match',
    );
    await rejects(
      'double spend in block',
      build((b) => {
        const height = t.node.chain.height + 1;
        b.txs = [
          makeCoinbase(height, alice.p2wpkh.script, 50n * 100_000_000n, [segwitTx, segwitTx]),
          segwitTx,
          segwitTx,
        ];
      }),
      /bad-txns-duplicate|bad-txns-inputs-missingorspent/,
    );
    // Correctly committed, it connects.
    const ok = build((b) => {
      const height = t.node.chain.height + 1;
      b.txs = [makeCoinbase(height, alice.p2wpkh.script, 50n * 100_000_000n + 1000n, [segwitTx]), segwitTx];
    });
    assert.equal(await submit(ok), null);
  });

  it('rejects a block spending a missing coin and one building on an unknown parent', async () => {
    const cb = await coinbaseUtxo(t.client, 2);
    const { decodeTransaction } = await import('../../../src/bitcoin/index.ts');
    const missing = decodeTransaction(
      hexBytes(spend(alice, [{ ...cb, txid: 'cd'.repeat(32) }], [{ script: alice.p2wpkh.script, amount: 1000n }]).hex),
    );
    const bad = build((b) => {
      b.txs = [makeCoinbase(t.node.chain.height + 1, alice.p2wpkh.script, 1n, [missing]), missing];
    });
    await rejects('missing input', bad, 'bad-txns-inputs-missingorspent');
    await rejects(
      'orphan',
      build((b) => (b.header.prevHash = new Uint8Array(32).fill(9))),
      'inconclusive',
    );
    const chainTips = await t.client.getChainTips();
    assert.ok(
      chainTips.some((x) => x.status === 'invalid' && x.hash === blockHashHex(bad.header)),
      'the connect failure is remembered',
    );
    assert.equal(await submit(bad), 'duplicate-invalid');
    assert.equal(await t.client.request('submitblock', ['00']).catch((e: { code: number }) => e.code), -22);
  });

  it('rejects a block over the sigop limit', async () => {
    const cb = await coinbaseUtxo(t.client, 3);
    const { decodeTransaction } = await import('../../../src/bitcoin/index.ts');
    // 20,001 OP_CHECKSIG in one output: legacy sigops x 4 exceed 80,000. Non-standard, so only a block can carry it.
    const heavy = decodeTransaction(
      hexBytes(spend(alice, [cb], [{ script: new Uint8Array(20_001).fill(0xac), amount: cb.amount - 10_000n }]).hex),
    );
    await rejects(
      'sigops',
      build((b) => {
        b.txs = [makeCoinbase(t.node.chain.height + 1, alice.p2wpkh.script, 1n, [heavy]), heavy];
      }),
      'bad-blk-sigops',
    );
  });
});

function solveOnce(b: Block): boolean {
  const h = hexBytes(blockHashHex(b.header)).reverse();
  // Regtest target 0x7fffff << 232: a hash below it has its top bit clear.
  return (h[31] & 0x80) === 0;
}
