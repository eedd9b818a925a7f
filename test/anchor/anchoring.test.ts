import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { btcToSats } from '../../src/bitcoin/index.ts';
import { encodeTransaction, packPoint, signTransfer, signWithdraw } from '../../src/rollup/index.ts';
import type { BatchOutput } from '../../src/rollup/index.ts';
import {
  Anchorer,
  VerifierNode,
  buildCommitment,
  chainScript,
  commitmentId,
  encodePayload,
  headerFromBatch,
} from '../../src/anchor/index.ts';
import { DEFAULT_VERIFIER_RPC_PORT, NODE_RPC_CODES, serveVerifierRpc } from '../../src/node/index.ts';
import { verifierFromArgs } from '../../src/cli/commands/verify-node.ts';
import type { ChainOutput, StatusChange } from '../../src/anchor/index.ts';
import {
  CHAIN,
  SEQUENCER_ADDRESS,
  SEQUENCER_KEY,
  SEQUENCER_SECRET,
  coinbaseOutput,
  deposit,
  l2Key,
  mine,
  mineElsewhere,
  rollupConfig,
  rpcCall,
  startEnv,
} from './helpers.ts';
import type { Env } from './helpers.ts';

const K = 2; // anchoring confirmations on regtest

describe('anchoring on the embedded regtest node over RPC', () => {
  let env: Env;
  let anchorer: Anchorer;
  const batches: BatchOutput[] = [];
  const changes: StatusChange[] = [];
  const logs: string[] = [];
  const freshVerifier = () =>
    new VerifierNode({
      client: env.client,
      genesis: env.genesis,
      sequencerKey: SEQUENCER_KEY,
      rollup: { ...rollupConfig() },
      startHeight: 1,
      log: (l) => logs.push(l),
    });

  before(async () => {
    env = await startEnv();
    anchorer = new Anchorer({
      client: env.client,
      secretKey: SEQUENCER_SECRET,
      genesis: env.genesis,
      confirmations: K,
    });
    anchorer.attach(env.rollup);
    anchorer.on('status', (c) => changes.push(c));
    env.rollup.on('batch', (b) => batches.push(b));
  });

  after(async () => {
    anchorer.stop();
    await env.rollup.close();
    await env.bitcoin.stop();
  });

  /** One batch through the whole path: produce, post, confirm; a fresh verifier must agree after it. */
  async function batchRoundTrip(): Promise<BatchOutput> {
    const block = await env.rollup.produceBlock();
    assert.ok(block?.header.closesBatch, 'the block closes a batch');
    const batch = batches.at(-1)!;
    await anchorer.tick();
    assert.equal(anchorer.status(batch.batchNumber)?.status, 'posted');
    await mine(env, K);
    await anchorer.tick();
    assert.equal(anchorer.status(batch.batchNumber)?.status, 'anchored');
    const verifier = freshVerifier();
    await verifier.sync();
    assert.equal(verifier.batchNumber, batch.batchNumber, `verifier at batch ${batch.batchNumber}`);
    assert.deepEqual(verifier.roots, batch.newRoots, 'verifier root equals the sequencer root');
    assert.deepEqual(verifier.roots, env.rollup.roots);
    assert.equal(verifier.flagged.length, 0);
    return batch;
  }

  it('posts batches; a fresh verifier reaches the same state root after every batch', async () => {
    await env.rollup.addL1Item(deposit(1, 1_000_000n));
    await env.rollup.addL1Item(deposit(2, 500_000n));
    const b1 = await batchRoundTrip();
    assert.equal(b1.queueEnd, 2);
    await env.rollup.submitTransaction(
      signTransfer(l2Key(1), { from: 1, to: 2, amount: 10_000n, fee: 100n, nonce: 0 }, CHAIN),
    );
    await env.rollup.submitTransaction(
      signTransfer(l2Key(2), { from: 2, to: 1, amount: 123_456n, fee: 7n, nonce: 0 }, CHAIN),
    );
    await batchRoundTrip();
    const script = Uint8Array.of(0x00, 0x14, ...new Uint8Array(20).fill(7));
    await env.rollup.submitTransaction(
      signWithdraw(l2Key(1), { from: 1, script, amount: 50_000n, fee: 50n, nonce: 1 }, CHAIN),
    );
    await env.rollup.addL1Item(deposit(3, 42_000n, 2));
    const b3 = await batchRoundTrip();
    assert.equal(b3.withdrawals.length, 1);
    assert.deepEqual(
      changes.map((c) => `${c.batchNumber}:${c.status}`),
      ['1:posted', '1:anchored', '2:posted', '2:anchored', '3:posted', '3:anchored'],
    );
    // No proofs exist yet, so nothing goes past anchored.
    for (let i = 0; i < 3; i++) {
      await mine(env);
      await anchorer.tick();
    }
    assert.ok(anchorer.all.every((r) => r.status === 'anchored'));
  });

  it('the synced verifier serves the read-only RPC with the sequencer state; writes are refused', async () => {
    const verifier = freshVerifier();
    await verifier.sync();
    const rpc = await serveVerifierRpc(verifier, { port: 0 });
    try {
      const hex = (v: bigint) => `0x${v.toString(16)}`;
      const status = await rpcCall(rpc.port, 'keel_status');
      const s = status.result as { chainId: number; roots: string[]; lastBatch: number; l1: { height: number } };
      assert.equal(s.chainId, CHAIN);
      assert.deepEqual(s.roots, env.rollup.roots.map(hex), 'state root equals the sequencer root');
      assert.equal(s.lastBatch, batches.at(-1)!.batchNumber);
      assert.equal(s.l1.height, await env.client.getBlockCount());
      assert.deepEqual((status.result as { batches: unknown }).batches, { verified: 3, flagged: 0, ignored: 0 });
      assert.equal((await rpcCall(rpc.port, 'keel_chainId')).result, CHAIN);
      for (const index of [1, 2, 3]) {
        const seq = env.rollup.getAccount(index);
        const got = (await rpcCall(rpc.port, 'keel_getAccount', [index])).result as Record<string, unknown>;
        assert.equal(got.balance, seq.balance.toString(), `account ${index} balance`);
        assert.equal(got.nonce, seq.nonce);
        assert.equal(got.publicKey, Buffer.from(packPoint({ x: seq.ax, y: seq.ay })).toString('hex'));
        const byKey = await rpcCall(rpc.port, 'keel_getAccountByKey', [got.publicKey]);
        assert.equal((byKey.result as { index: number }).index, index);
      }
      assert.equal((await rpcCall(rpc.port, 'keel_getAccount', [200])).result, null, 'empty slot');
      assert.equal((await rpcCall(rpc.port, 'keel_getAccount', [1 << 20])).result, null, 'outside the tree');
      const b2 = (await rpcCall(rpc.port, 'keel_getBatch', [2])).result as { newRoots: string[]; status: string };
      assert.equal(b2.status, 'verified');
      assert.deepEqual(b2.newRoots, batches[1]!.newRoots.map(hex));
      assert.equal((await rpcCall(rpc.port, 'keel_getBatch', [99])).result, null);
      const send = await rpcCall(rpc.port, 'keel_sendTransaction', [
        Buffer.from(
          encodeTransaction(signTransfer(l2Key(1), { from: 1, to: 2, amount: 1n, fee: 1n, nonce: 2 }, CHAIN)),
        ).toString('hex'),
      ]);
      assert.equal(send.error?.code, NODE_RPC_CODES.READ_ONLY);
      assert.match(send.error!.message, /read-only verifier node/);
      assert.equal((await rpcCall(rpc.port, 'keel_getBlock', [1])).error?.code, -32601, 'not served: method not found');
      assert.equal((await rpcCall(rpc.port, 'keel_getAccount', ['x'])).error?.code, -32602);
      assert.deepEqual(verifier.roots, env.rollup.roots, 'nothing a client sent changed the state');
    } finally {
      await rpc.close();
    }
  });

  it('a reorg that drops the commitment block moves the batch back to posted; it is re-anchored', async () => {
    await env.rollup.submitTransaction(
      signTransfer(l2Key(3), { from: 3, to: 1, amount: 1_000n, fee: 10n, nonce: 0 }, CHAIN),
    );
    const batch = await batchRoundTrip();
    const record = anchorer.status(batch.batchNumber)!;
    assert.ok(record.blockHash, 'the commit transaction is in a block');
    await env.client.invalidateBlock(record.blockHash);
    await anchorer.tick();
    assert.equal(record.status, 'posted', 'back to posted after the reorg');
    assert.equal(record.confirmations, 0);
    assert.deepEqual(changes.at(-1), {
      batchNumber: batch.batchNumber,
      status: 'posted',
      previous: 'anchored',
      confirmations: 0,
    });
    // Still posted after one block; anchored again after K.
    await mineElsewhere(env, 1);
    await anchorer.tick();
    assert.equal(record.status, K > 1 ? 'posted' : 'anchored');
    await mineElsewhere(env, K);
    await anchorer.tick();
    assert.equal(record.status, 'anchored', 're-anchored');
    assert.notEqual(record.blockHash, undefined);
    const verifier = freshVerifier();
    await verifier.sync();
    assert.deepEqual(verifier.roots, env.rollup.roots, 'the verifier agrees on the new chain');
  });

  it('a verifier that was following sees the reorg and rebuilds', async () => {
    const verifier = freshVerifier();
    await verifier.sync();
    const before = verifier.roots;
    let reorgs = 0;
    verifier.on('reorg', () => reorgs++);
    const hash = await env.client.getBlockHash(await env.client.getBlockCount());
    await env.client.invalidateBlock(hash);
    await mineElsewhere(env, 2);
    await verifier.sync();
    assert.equal(reorgs, 1);
    assert.deepEqual(verifier.roots, before);
  });

  it('replaces a stuck commitment at a higher fee (BIP125) and it still anchors', async () => {
    await env.rollup.submitTransaction(
      signTransfer(l2Key(2), { from: 2, to: 3, amount: 2_000n, fee: 3n, nonce: 1 }, CHAIN),
    );
    await env.rollup.produceBlock();
    const batch = batches.at(-1)!;
    await anchorer.tick();
    const record = anchorer.status(batch.batchNumber)!;
    const old = record.built!;
    // Blocks that leave it out (a miner ignoring it): after 3 of them (bumpAfterBlocks) the next tick replaces it.
    for (let i = 0; i < 3; i++) {
      await env.client.generateBlock(SEQUENCER_ADDRESS, []);
      await anchorer.tick();
      if (i < 2) assert.equal(record.built, old, 'not bumped before bumpAfterBlocks');
    }
    const fresh = record.built!;
    assert.notEqual(fresh.commit.txid, old.commit.txid);
    assert.ok(
      fresh.commit.fee > old.commit.fee + old.reveals.reduce((n, t) => n + t.fee, 0n),
      'pays for what it evicts',
    );
    const pool = await env.client.getRawMempool();
    assert.ok(pool.includes(fresh.commit.txid) && !pool.includes(old.commit.txid), 'the replacement took its place');
    assert.ok(fresh.reveals.every((t) => pool.includes(t.txid)));
    assert.ok(
      old.reveals.every((t) => !pool.includes(t.txid)),
      'old reveals were evicted with their parent',
    );
    await mine(env, K);
    await anchorer.tick();
    assert.equal(record.status, 'anchored');
    const verifier = freshVerifier();
    await verifier.sync();
    assert.deepEqual(verifier.roots, env.rollup.roots);
  });

  it('splits a large commitment across linked reveals, each standard, posted in waves', async () => {
    await env.rollup.submitTransaction(
      signTransfer(l2Key(2), { from: 2, to: 1, amount: 1_000n, fee: 1n, nonce: 2 }, CHAIN),
    );
    await env.rollup.produceBlock();
    const batch = batches.at(-1)!;
    // Opaque bytes in the STARK section stand in for a large proof: this checks transport only (no checker runs).
    const big = Uint8Array.from({ length: 900_000 }, (_, i) => (i * 2654435761) >>> 24);
    anchorer.attachProofs(batch.batchNumber, { stark: big });
    await anchorer.tick();
    const record = anchorer.status(batch.batchNumber)!;
    const built = record.built!;
    assert.equal(built.reveals.length, 3);
    assert.ok(record.header.starkProofDigest !== 0n);
    for (const tx of built.reveals) assert.ok(tx.weight <= 400_000, `reveal weighs ${tx.weight}`);
    // Core's 101 kvB descendant limit lets only part of it into the mempool at first.
    const pool = await env.client.getRawMempool();
    assert.ok(pool.includes(built.commit.txid));
    assert.ok(
      built.reveals.some((t) => !pool.includes(t.txid)),
      'some reveals wait for the commit to confirm',
    );
    for (let i = 0; i < K + 1 && record.status !== 'anchored'; i++) {
      await mine(env);
      await anchorer.tick();
    }
    await mine(env, K);
    await anchorer.tick();
    assert.equal(record.status, 'anchored');
    const verifier = freshVerifier();
    await verifier.sync();
    assert.equal(verifier.batchNumber, batch.batchNumber);
    assert.deepEqual(verifier.roots, env.rollup.roots);
    assert.equal(verifier.batch(batch.batchNumber)?.header.starkProofDigest, record.header.starkProofDigest);
  });

  it('flags a hand-tampered batch, ignores garbage, and keeps its state', async () => {
    // The next real batch, produced but posted by hand from here on.
    anchorer.stop();
    await env.rollup.submitTransaction(
      signTransfer(l2Key(1), { from: 1, to: 2, amount: 5_000n, fee: 5n, nonce: 2 }, CHAIN),
    );
    await env.rollup.produceBlock();
    const real = batches.at(-1)!;
    const verifier = freshVerifier();
    await verifier.sync();
    const rootsBefore = verifier.roots;
    const accepted = verifier.batchNumber;
    assert.equal(accepted, real.batchNumber - 1);
    let chain: ChainOutput = anchorer.chainOutput;
    const prev = anchorer.lastCommitmentId;
    const post = async (payload: Uint8Array, input: ChainOutput = chain) => {
      const built = buildCommitment({ payload, secretKey: SEQUENCER_SECRET, chainInput: input, feeRate: 2 });
      for (const tx of [built.commit, ...built.reveals]) await env.client.sendRawTransaction(tx.hex);
      await mine(env);
      if (input === chain) chain = built.chain;
      return built;
    };
    const payloadOf = (b: BatchOutput, link = prev, data = b.data) =>
      encodePayload({ header: headerFromBatch(b, link), data, l1Items: [], proofs: {} }).bytes;

    // Tampered data: the amount of the transfer changed after the header was made.
    const tampered = real.data.slice();
    tampered[tampered.length - 2] ^= 0x01;
    const bad = await post(payloadOf(real, prev, tampered));
    // Garbage in a well-formed envelope, a skipped batch number, and an envelope off the commitment chain.
    await post(Uint8Array.from({ length: 300 }, (_, i) => (i * 37) & 0xff));
    await post(payloadOf({ ...real, batchNumber: real.batchNumber + 1 }));
    await post(payloadOf(real), await coinbaseOutput(env.client, 2));
    await post(payloadOf(real, new Uint8Array(32).fill(1)));
    await verifier.sync();
    assert.deepEqual(
      verifier.flagged.map((f) => [f.batchNumber, f.check, f.commitTxid]),
      [[real.batchNumber, 'dataDigest', bad.commit.txid]],
    );
    assert.deepEqual(verifier.roots, rootsBefore, 'a flagged batch changes nothing');
    assert.equal(verifier.batchNumber, accepted);
    const reasons = verifier.ignored.map((i) => i.reason).join('\n');
    assert.match(reasons, /garbage payload: not a Keel commitment/);
    assert.match(reasons, new RegExp(`batch number ${real.batchNumber + 1}, expected ${real.batchNumber}`));
    assert.match(reasons, /envelope outside the commitment chain/);
    assert.match(reasons, /previous-commitment link breaks the chain/);
    assert.ok(logs.some((l) => /FLAGGED \(dataDigest\)/.test(l)));

    // Tampered roots with self-consistent data: the re-executed root gives it away.
    const forged = { ...real, newRoots: real.newRoots.map((r) => r ^ 1n) };
    await post(payloadOf(forged));
    await verifier.sync();
    assert.equal(verifier.flagged.at(-1)?.check, 'newRoot');
    assert.deepEqual(verifier.roots, rootsBefore);

    // The honest batch, linked to the last accepted commitment, is still accepted on the same chain.
    await post(payloadOf(real));
    await verifier.sync();
    assert.equal(verifier.batchNumber, real.batchNumber);
    assert.deepEqual(verifier.roots, real.newRoots);
    assert.deepEqual(verifier.roots, env.rollup.roots);
    assert.deepEqual(
      commitmentId(headerFromBatch(real, prev)),
      verifier.batch(real.batchNumber) && commitmentId(verifier.batch(real.batchNumber)!.header),
    );
  });
  it('keel verify-node (--once) reaches the same root from the command line options', async () => {
    const lines: string[] = [];
    const args = [
      '--bitcoin-rpc',
      env.bitcoin.rpcUrl,
      '--rpcuser',
      'keel',
      '--rpcpassword',
      'anchor-test',
      '--genesis',
      `${env.genesis.txid}:${env.genesis.vout}`,
      '--sequencer-key',
      Buffer.from(SEQUENCER_KEY).toString('hex'),
      '--fee-account-key',
      Buffer.from(packPoint(rollupConfig().feeAccountKey)).toString('hex'),
      '--depth',
      '8',
      '--withdrawal-depth',
      '4',
      '--start-height',
      '1',
    ];
    const { node, rpcPort } = verifierFromArgs([...args, '--once'], (l) => lines.push(l));
    assert.equal(rpcPort, DEFAULT_VERIFIER_RPC_PORT);
    await node.sync();
    assert.deepEqual(node.roots, env.rollup.roots);
    assert.equal(verifierFromArgs([...args, '--rpcport', '0'], () => {}).rpcPort, 0);
    assert.throws(() => verifierFromArgs([...args, '--rpcport', '70000'], () => {}), /invalid --rpcport/);
    assert.throws(
      () => verifierFromArgs(['--bitcoin-rpc', 'http://127.0.0.1:1', '--genesis', 'zz'], () => {}),
      /--rpccookie|--genesis/,
    );
    assert.throws(() => verifierFromArgs(['--nope'], () => {}), /unknown option --nope/);
  });
  it('two commitments for the same batch spend the same chain output: only one can confirm', async () => {
    const verifier = freshVerifier();
    await verifier.sync();
    await env.rollup.submitTransaction(
      signTransfer(l2Key(3), { from: 3, to: 2, amount: 700n, fee: 2n, nonce: 1 }, CHAIN),
    );
    await env.rollup.produceBlock();
    const batch = batches.at(-1)!;
    const tip = verifier.chainOutpoint;
    const out = await env.client.getTxOut(tip.txid, tip.vout);
    assert.ok(out);
    const chainInput = { ...tip, amount: btcToSats(out.value), script: chainScript(SEQUENCER_KEY) };
    const payload = (data: Uint8Array) =>
      encodePayload({ header: headerFromBatch(batch, verifier.lastCommitmentId), data, l1Items: [], proofs: {} }).bytes;
    const first = buildCommitment({
      payload: payload(batch.data),
      secretKey: SEQUENCER_SECRET,
      chainInput,
      feeRate: 2,
    });
    const second = buildCommitment({
      payload: payload(batch.data.slice().reverse()),
      secretKey: SEQUENCER_SECRET,
      chainInput,
      feeRate: 1,
    });
    for (const tx of [first.commit, ...first.reveals]) await env.client.sendRawTransaction(tx.hex);
    await assert.rejects(env.client.sendRawTransaction(second.commit.hex), /insufficient fee|conflict|rejected/i);
    await mine(env);
    assert.equal((await env.client.getRawTransactionVerbose(first.commit.txid)).confirmations, 1);
    // Once the first is mined the second's input is spent for good.
    await assert.rejects(env.client.sendRawTransaction(second.commit.hex), /missing|spent|inputs/i);
    await verifier.sync();
    assert.equal(verifier.batchNumber, batch.batchNumber);
    assert.deepEqual(verifier.roots, env.rollup.roots);
  });
});
