import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { schnorr } from '@noble/curves/secp256k1.js';
import * as btc from '@scure/btc-signer';
import { encodeTransaction, hashToHex, txid, type Transaction } from '../../src/bitcoin/index.ts';
import { BitcoinNode } from '../../src/bitcoin/node/index.ts';
import { createBitcoinClient, http, btcToSats, type BitcoinClient } from '../../src/bitcoin/client/index.ts';
import {
  merklePathComputation,
  merklePathValues,
  merkleRootFromPath,
  nodeName,
  chunkComputation,
  chunkCommitments,
  disproveOutput,
  taprootTree,
  buildAssertTransaction,
  buildDisproveTransaction,
  deriveSecretKey,
  generatePublicKey,
  signUnguarded,
  valueParams,
  type CommitGroup,
  type Computation,
  type DisproveLeaf,
  type TaprootTree,
} from '../../src/bitvm/index.ts';

// The whole game on the embedded regtest node, over JSON-RPC only: fund the commit outputs, publish assertions,
// and try the disprove spends through the node's mempool and miner.
const REGTEST = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, wif: 0xef };
const DEPTH = 16;
const INDEX = 0x3c5a;
const COMMIT_VALUE = 40_000n;
const DISPROVE_VALUE = 80_000n;
const DISPROVE_FEE = 40_000n;

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const bytes32 = (seed: number) => Uint8Array.from({ length: 32 }, (_, i) => (i * 59 + seed * 23 + 1) & 255);

describe(`BitVM disprove game for a depth-${DEPTH} Merkle path on the embedded regtest node`, () => {
  let node: BitcoinNode;
  let client: BitcoinClient;
  const walletKey = new Uint8Array(32).fill(0x21);
  const wallet = btc.p2tr(schnorr.getPublicKey(walletKey), undefined, REGTEST);
  const operatorKey = new Uint8Array(32).fill(0x33);
  const challenger = btc.p2tr(schnorr.getPublicKey(new Uint8Array(32).fill(0x44)), undefined, REGTEST);

  let computation: Computation;
  let leaves: DisproveLeaf[];
  let tree: TaprootTree;
  let groups: CommitGroup[];
  const secretKeys = new Map<string, Uint8Array>();
  let honest: Map<string, Uint8Array>;
  /** Scenario 0 is the honest assertion; scenario s (1..DEPTH-1) has intermediate node s corrupted. */
  const scenarios: {
    values: Map<string, Uint8Array>;
    signatures: Map<string, Uint8Array[]>;
    assertTxid?: Uint8Array;
  }[] = [];

  before(async () => {
    const auth = { user: 'keel', password: 'bitvm-regtest' };
    node = await BitcoinNode.start({ rpcPort: 0, rpcUser: auth.user, rpcPassword: auth.password });
    client = createBitcoinClient({ transport: http(node.rpcUrl, auth) });

    const leafValue = bytes32(0);
    const siblings = Array.from({ length: DEPTH }, (_, i) => bytes32(i + 1));
    const root = merkleRootFromPath(leafValue, siblings, INDEX);
    computation = merklePathComputation({ depth: DEPTH, index: INDEX, root });
    const publicKeys = new Map<string, Uint8Array[]>();
    for (const value of computation.values) {
      const sk = deriveSecretKey(new Uint8Array(32).fill(0x55), value.name);
      secretKeys.set(value.name, sk);
      publicKeys.set(value.name, generatePublicKey(valueParams(value), sk));
    }
    leaves = chunkComputation(computation, publicKeys);
    tree = disproveOutput(leaves);
    groups = chunkCommitments(computation, publicKeys, schnorr.getPublicKey(operatorKey));
    honest = merklePathValues(leafValue, siblings, INDEX);
    // Each scenario is a separate world; the same keys sign in each only because the test replays alternatives.
    const sign = (values: Map<string, Uint8Array>) =>
      new Map(
        computation.values.map((v) => [
          v.name,
          signUnguarded(valueParams(v), secretKeys.get(v.name) as Uint8Array, values.get(v.name) as Uint8Array),
        ]),
      );
    scenarios.push({ values: honest, signatures: sign(honest) });
    for (let level = 1; level < DEPTH; level++) {
      const values = new Map(honest);
      const changed = (values.get(nodeName(level)) as Uint8Array).slice();
      changed[level] = (changed[level] as number) ^ 0x10;
      values.set(nodeName(level), changed);
      scenarios.push({ values, signatures: sign(values) });
    }
  });

  after(async () => {
    await node?.stop();
  });

  test("fund every assertion's commit outputs and publish the assertions", async () => {
    await client.generateToAddress(101, wallet.address as string);
    const block = await client.getBlockWithTxs(await client.getBlockHash(1));
    const coinbase = block.tx[0];
    assert.ok(coinbase);
    const coinbaseValue = btcToSats(coinbase.vout[0]?.value ?? 0);

    const commitTrees = groups.map((group) => taprootTree([group.script.bytes]));
    const funding = new btc.Transaction({ allowUnknownOutputs: true });
    funding.addInput({
      txid: coinbase.txid,
      index: 0,
      witnessUtxo: { script: wallet.script, amount: coinbaseValue },
      tapInternalKey: schnorr.getPublicKey(walletKey),
    });
    for (let s = 0; s < scenarios.length; s++)
      for (const commit of commitTrees) funding.addOutput({ script: commit.outputScript, amount: COMMIT_VALUE });
    const spent = COMMIT_VALUE * BigInt(scenarios.length * groups.length);
    funding.addOutput({ script: wallet.script, amount: coinbaseValue - spent - 20_000n });
    funding.sign(walletKey);
    funding.finalize();
    assert.equal(await client.sendRawTransaction(funding.hex), funding.id);
    await client.generateToAddress(1, wallet.address as string);

    const fundingTxid = Uint8Array.from(Buffer.from(funding.id, 'hex')).reverse();
    const published: string[] = [];
    for (const [s, scenario] of scenarios.entries()) {
      const { tx } = buildAssertTransaction({
        inputs: groups.map((group, g) => ({
          prevout: { txid: fundingTxid, vout: s * groups.length + g, value: COMMIT_VALUE },
          tree: commitTrees[g] as TaprootTree,
          group,
        })),
        signatures: scenario.signatures,
        disprove: { script: tree.outputScript, value: DISPROVE_VALUE },
        operatorSecretKey: operatorKey,
      });
      scenario.assertTxid = txid(tx);
      published.push(await client.sendRawTransaction(hex(encodeTransaction(tx))));
    }
    const [hash] = await client.generateToAddress(1, wallet.address as string);
    const mined = await client.getBlock(hash as string);
    for (const id of published) assert.ok(mined.tx.includes(id), `assert ${id} mined`);
  });

  const disproveTx = (scenario: number, leafIndex: number): Transaction => {
    const s = scenarios[scenario];
    assert.ok(s?.assertTxid, 'assertion published');
    return buildDisproveTransaction({
      prevout: { txid: s.assertTxid, vout: 0, value: DISPROVE_VALUE },
      tree,
      leaves,
      leafIndex,
      signatures: s.signatures,
      payTo: challenger.script,
      fee: DISPROVE_FEE,
    });
  };

  test('the honest assertion is disprovable through none of its leaves (mempool rejects every spend)', async () => {
    const hexes = leaves.map((_, i) => hex(encodeTransaction(disproveTx(0, i))));
    for (const [i, txHex] of hexes.entries()) {
      const [result] = await client.testMempoolAccept([txHex]);
      assert.equal(result?.allowed, false, `leaf ${i} accepted`);
      assert.match(
        result?.['reject-reason'] ?? '',
        /script-verify-flag-failed|Script evaluated without error but finished with a false/i,
      );
    }
  });

  test('each corrupted intermediate value is disproven by a spend the mempool accepts and the miner confirms', async () => {
    const sent: string[] = [];
    for (let level = 1; level < DEPTH; level++) {
      const leafIndex = leaves.findIndex((leaf) => leaf.steps.includes(level - 1));
      const tx = disproveTx(level, leafIndex);
      const id = await client.sendRawTransaction(hex(encodeTransaction(tx)));
      assert.equal(id, hashToHex(txid(tx)));
      sent.push(id);
    }
    const [hash] = await client.generateToAddress(1, wallet.address as string);
    const block = await client.getBlock(hash as string);
    for (const id of sent) assert.ok(block.tx.includes(id), `disprove ${id} mined`);
    // The challenger now holds each disproven assertion's deposit.
    const out = await client.getTxOut(sent[0] as string, 0);
    assert.equal(out?.scriptPubKey.hex, hex(challenger.script));
  });
});
