import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { subscribeNotifications, watchBlocks, type NodeEvent } from '../../../src/bitcoin/client/index.ts';
import { bytesToHex } from '@noble/hashes/utils.js';
import { decodeTransaction, encodeTransaction } from '../../../src/bitcoin/tx/index.ts';
import { coinbaseUtxo, hexBytes, spend, startNode, Wallet, type TestNode } from './helpers.ts';

interface RawReply {
  status: number;
  body: string;
}

describe('JSON-RPC server: protocol, errors, auth, notifications', () => {
  let t: TestNode;
  const alice = new Wallet(8);
  let authHeader: string;
  const post = async (body: string, headers: Record<string, string> = {}): Promise<RawReply> => {
    const res = await fetch(t.url, { method: 'POST', headers: { Authorization: authHeader, ...headers }, body });
    return { status: res.status, body: await res.text() };
  };
  const rpcError = async (body: string) => {
    const reply = await post(body);
    const parsed = JSON.parse(reply.body) as { error: { code: number; message: string } | null };
    assert.ok(parsed.error, `expected an error for ${body.slice(0, 80)}`);
    return { status: reply.status, ...parsed.error };
  };
  before(async () => {
    t = await startNode();
    authHeader = `Basic ${Buffer.from(`${t.auth.user}:${t.auth.password}`).toString('base64')}`;
    await t.client.generateToAddress(101, alice.p2wpkh.address as string);
  });
  after(async () => {
    await t.node.stop();
  });

  it('answers bad input with Core codes and keeps running', async () => {
    assert.deepEqual(await rpcError('{"method": "getblockcount", '), {
      status: 500,
      code: -32700,
      message: 'Parse error',
    });
    assert.deepEqual(await rpcError('{"method":"getnothing","params":[],"id":1}'), {
      status: 404,
      code: -32601,
      message: 'Method not found',
    });
    assert.equal((await rpcError('"just a string"')).code, -32600);
    assert.equal((await rpcError('{"method":42,"id":1}')).code, -32600);
    assert.equal((await rpcError('{"method":"getblockhash","params":"1","id":1}')).code, -32600);
    assert.deepEqual(await rpcError('{"method":"getblockhash","params":["ten"],"id":1}'), {
      status: 500,
      code: -3,
      message: 'JSON value of type string is not of expected type number',
    });
    assert.equal((await rpcError('{"method":"getblockhash","params":[1000],"id":1}')).code, -8);
    const badHash = await rpcError('{"method":"getblock","params":["abc"],"id":1}');
    assert.equal(badHash.code, -8);
    assert.equal(badHash.message, "blockhash must be of length 64 (not 3, for 'abc')");
    assert.equal((await rpcError(`{"method":"getblock","params":["${'0'.repeat(64)}"],"id":1}`)).code, -5);
    assert.equal((await rpcError('{"method":"sendrawtransaction","params":["00zz"],"id":1}')).code, -22);
    assert.equal((await rpcError('{"method":"decoderawtransaction","params":["0100"],"id":1}')).code, -22);
    assert.equal((await rpcError('{"method":"generatetoaddress","params":[1,"notanaddress"],"id":1}')).code, -5);
    assert.equal((await rpcError('{"method":"getblockcount","params":[1,2],"id":1}')).code, -1);
    assert.equal((await rpcError('{"method":"getblockhash","params":{"hieght":1},"id":1}')).code, -8);
    const cb = await coinbaseUtxo(t.client, 1);
    // btc-signer refuses to build an overspend, so raise the output of a valid spend afterwards.
    const valid = decodeTransaction(
      hexBytes(spend(alice, [cb], [{ script: alice.p2wpkh.script, amount: cb.amount - 500n }]).hex),
    );
    valid.outputs[0].value = cb.amount + 1n;
    const overspend = bytesToHex(encodeTransaction(valid));
    const rejected = await rpcError(`{"method":"sendrawtransaction","params":["${overspend}"],"id":1}`);
    assert.equal(rejected.code, -26);
    assert.match(rejected.message, /^bad-txns-in-belowout/);
    const orphan = spend(alice, [{ ...cb, txid: 'ab'.repeat(32) }], [{ script: alice.p2wpkh.script, amount: 1000n }]);
    assert.equal((await rpcError(`{"method":"sendrawtransaction","params":["${orphan.hex}"],"id":1}`)).code, -25);
    // Oversized body: refused before parsing.
    const huge = await post(`{"method":"getblockcount","params":["${'a'.repeat(0x02000000)}"]}`);
    assert.equal(huge.status, 413);
    // Still serving.
    assert.equal(await t.client.getBlockCount(), 101);
  });

  it('speaks JSON-RPC 2.0, batches and named parameters', async () => {
    const v2 = await post('{"jsonrpc":"2.0","method":"getblockhash","params":{"height":0},"id":"a"}');
    assert.equal(v2.status, 200);
    assert.deepEqual(JSON.parse(v2.body), {
      jsonrpc: '2.0',
      result: '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206',
      id: 'a',
    });
    const v2err = await post('{"jsonrpc":"2.0","method":"nope","id":2}');
    assert.equal(v2err.status, 200);
    assert.equal(JSON.parse(v2err.body).error.code, -32601);
    const notification = await post('{"jsonrpc":"2.0","method":"getblockcount"}');
    assert.equal(notification.status, 204);
    const batch = await post('[{"method":"getblockcount","id":1},{"method":"nope","id":2}]');
    const replies = JSON.parse(batch.body) as { id: number; result: unknown; error: { code: number } | null }[];
    assert.equal(replies[0].result, 101);
    assert.equal(replies[1].error?.code, -32601);
    // Amounts are exact 8-decimal numbers, as Core prints them.
    const out = await post(`{"method":"gettxout","params":["${(await coinbaseUtxo(t.client, 2)).txid}",0],"id":1}`);
    assert.match(out.body, /"value":50\.00000000,/);
  });

  it('requires authentication and POST', async () => {
    const noAuth = await fetch(t.url, { method: 'POST', body: '{"method":"getblockcount"}' });
    assert.equal(noAuth.status, 401);
    const wrong = await fetch(t.url, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from('keel:wrong').toString('base64')}` },
      body: '{"method":"getblockcount"}',
    });
    assert.equal(wrong.status, 401);
    const get = await fetch(t.url, { headers: { Authorization: authHeader } });
    assert.equal(get.status, 405);
  });

  it('pushes block and transaction notifications over WebSocket', async () => {
    const events: NodeEvent[] = [];
    const close = await subscribeNotifications(t.client, (e) => events.push(e));
    try {
      const cb = await coinbaseUtxo(t.client, 1);
      const tx = spend(alice, [cb], [{ script: alice.p2tr.script, amount: cb.amount - 1000n }]);
      await t.client.sendRawTransaction(tx.hex);
      const [hash] = await t.client.generateToAddress(1, alice.p2wpkh.address as string);
      for (let i = 0; i < 100 && !events.some((e) => e.type === 'block'); i++)
        await new Promise((r) => setTimeout(r, 10));
      assert.ok(events.some((e) => e.type === 'tx' && e.txid === tx.txid));
      assert.ok(events.some((e) => e.type === 'block' && e.hash === hash && e.height === 102));
      assert.ok(events.some((e) => e.type === 'tx-removed' && e.txid === tx.txid && e.reason === 'block'));
    } finally {
      close();
    }
  });

  it('watchBlocks (polling, works with Core too) reports new tips', async () => {
    const seen: { hash: string; height: number }[] = [];
    const unwatch = watchBlocks(t.client, (b) => seen.push(b), { pollingInterval: 10 });
    try {
      await new Promise((r) => setTimeout(r, 50));
      const [hash] = await t.client.generateToAddress(1, alice.p2wpkh.address as string);
      for (let i = 0; i < 200 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(seen, [{ hash, height: await t.client.getBlockCount() }]);
    } finally {
      unwatch();
    }
  });

  it('answers the other listed methods in Core shapes', async () => {
    // Block 102 holds the transaction of the notification case.
    const hash = await t.client.getBlockHash(102);
    const header = await t.client.getBlockHeader(hash);
    assert.equal(header.confirmations, (await t.client.getBlockCount()) - 102 + 1);
    assert.equal((await t.client.getBlockHeaderHex(hash)).length, 160);
    const full = await t.client.getBlockWithTxs(hash);
    assert.equal(full.tx[1].fee, 0.00001);
    const info = await t.client.getMempoolInfo();
    assert.equal(info.size, 0);
    assert.equal(info.minrelaytxfee, 0.00001);
    assert.ok((await t.client.uptime()) >= 0);
    // The genesis block as Core decodes it.
    const genesis = await t.client.getBlockWithTxs(await t.client.getBlockHash(0));
    assert.equal(genesis.merkleroot, '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b');
    assert.equal(genesis.tx[0].txid, genesis.merkleroot);
    assert.equal(genesis.bits, '207fffff');
    assert.equal(genesis.tx[0].vin[0].coinbase?.slice(0, 16), '04ffff001d010445');
    assert.deepEqual(
      { type: genesis.tx[0].vout[0].scriptPubKey.type, value: genesis.tx[0].vout[0].value },
      { type: 'pubkey', value: 50 },
    );
    assert.match(genesis.tx[0].vout[0].scriptPubKey.asm, /^04678afdb0fe5548271967f1a67130b7105cd6a8\w+ OP_CHECKSIG$/);
    const best = await t.client.getBestBlockHash();
    const tips = await t.client.getChainTips();
    assert.deepEqual(tips, [{ height: await t.client.getBlockCount(), hash: best, branchlen: 0, status: 'active' }]);
  });
});
