// A KeelNode with the real Anchorer on the embedded regtest node: a transfer sent through the JSON-RPC goes
// soft → posted → anchored as its batch's commitment is broadcast and buried, and back to posted when a reorg drops
// the commitment's block.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as btc from '@scure/btc-signer';
import { Anchorer, chainScript, xOnlyKey } from '../../src/anchor/index.ts';
import type { ChainOutput } from '../../src/anchor/index.ts';
import { btcToSats } from '../../src/bitcoin/index.ts';
import type { BitcoinClient } from '../../src/bitcoin/index.ts';
import { packPoint } from '../../src/rollup/index.ts';
import {
  MINER,
  MINER_ADDRESS,
  MINER_SCRIPT,
  REGTEST,
  l2Key,
  secret,
  sendDeposit,
  startHarness,
  until,
} from './helpers.ts';
import type { Harness } from './helpers.ts';

const SEQUENCER = secret('sequencer');
const CONFIRMATIONS = 2;
const alice = l2Key('anchoring alice');
const bob = l2Key('anchoring bob');

/** The commitment chain's genesis: a key-path P2TR output of the sequencer, paid from a mature miner coinbase. */
async function fundGenesis(client: BitcoinClient, coinbaseHeight: number): Promise<ChainOutput> {
  const cb = (await client.getBlockWithTxs(await client.getBlockHash(coinbaseHeight))).tx[0]!;
  const amount = btcToSats(cb.vout[0]!.value) - 5_000n;
  const tx = new btc.Transaction({ version: 2 });
  tx.addInput({ txid: cb.txid, index: 0, witnessUtxo: { script: MINER_SCRIPT, amount: amount + 5_000n } });
  tx.addOutput({ script: chainScript(xOnlyKey(SEQUENCER)), amount });
  tx.sign(MINER);
  tx.finalize();
  const txid = await client.sendRawTransaction(tx.hex);
  return { txid, vout: 0, amount, script: chainScript(xOnlyKey(SEQUENCER)) };
}

let miners = 0;
/** A replacement block must differ from the invalidated one, so each call mines to a new address. */
const mineElsewhere = (client: BitcoinClient, n: number) =>
  client.generateToAddress(n, btc.p2tr(xOnlyKey(secret(`elsewhere ${miners++}`)), undefined, REGTEST).address!);

describe('L2 node with the real anchorer on regtest', () => {
  let h: Harness;
  let stopping = false;
  let anchorer: Anchorer;
  before(async () => {
    h = await startHarness({
      // The genesis spends coinbase 1; deposits spend 2, 3.
      anchorer: async (client) => {
        anchorer = new Anchorer({
          client,
          secretKey: SEQUENCER,
          genesis: await fundGenesis(client, 1),
          confirmations: CONFIRMATIONS,
        });
        // A tick in flight when the test stops Bitcoin fails to reach it; with no listener that error would be
        // thrown as an unhandled rejection after the test ended. Errors while the test runs still fail it.
        anchorer.on('error', (err) => {
          if (!stopping) throw err;
        });
        // Confirms the genesis and matures the coinbases the deposits spend.
        await client.generateToAddress(2, MINER_ADDRESS);
        anchorer.start(100);
        return (rollup) => anchorer.nodeSeam(rollup);
      },
    });
    h.nextCoinbase = 2;
  });
  after(async () => {
    stopping = true;
    anchorer?.stop();
    await h?.stop();
  });

  it('a transfer reaches posted, then anchored after the confirmations, then back to posted on a reorg', async () => {
    await sendDeposit(h, alice, 100_000n);
    await sendDeposit(h, bob, 10_000n);
    await h.btcClient.generateToAddress(2, MINER_ADDRESS);
    await until('alice credited', () => h.client.getAccountByKey(packPoint(alice.publicKey)));
    const to = (await until('bob credited', () => h.client.getAccountByKey(packPoint(bob.publicKey)))).index;
    const { id } = await h.client.transfer(alice, { to, amount: 1_000n, fee: 10n });
    const soft = await h.client.waitForTransaction(id, { timeoutMs: 10_000 });
    // The anchorer ticks every 100 ms, so the batch may already be posted by the first poll.
    assert.ok(soft.status === 'soft' || soft.status === 'posted', soft.status);
    const status = async () => (await h.client.getTransaction(id)).status;

    await until('posted', async () => (await status()) === 'posted');
    const record = anchorer.status(soft.batch!)!;
    const commit = record.built!.commit.txid;
    assert.equal(
      (await h.btcClient.getRawMempool()).includes(commit),
      true,
      'the commit transaction is in the mempool',
    );

    await h.btcClient.generateToAddress(CONFIRMATIONS - 1, MINER_ADDRESS);
    // Give the anchorer a few ticks to see the block: one confirmation short, it must stay posted.
    await until('the anchorer to see the block', async () => record.confirmations === CONFIRMATIONS - 1);
    assert.equal(await status(), 'posted');
    await h.btcClient.generateToAddress(1, MINER_ADDRESS);
    await until('anchored', async () => (await status()) === 'anchored');
    assert.equal((await h.client.getBatch(soft.batch!))!.status, 'anchored');
    assert.ok((await h.btcClient.getRawTransactionVerbose(commit)).confirmations! >= CONFIRMATIONS);

    // A reorg drops the commitment's block: the node reports posted again until new blocks bury it.
    await h.btcClient.invalidateBlock(record.blockHash!);
    await until('back to posted', async () => (await status()) === 'posted');
    await mineElsewhere(h.btcClient, CONFIRMATIONS);
    await until('anchored again', async () => (await status()) === 'anchored');
  });
});
