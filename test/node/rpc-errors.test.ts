// Bad input over the real JSON-RPC: each gets a JSON-RPC error with a stable code, nothing changes, and the node
// keeps serving.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { MAX_AMOUNT, encodeTransaction, packPoint, signTransfer } from '../../src/rollup/index.ts';
import { ROLLUP_RPC_CODES } from '../../src/node/index.ts';
import { KeelRpcError, KeelTransportError, createKeelClient, http } from '../../src/sdk/index.ts';
import type { StatusJson } from '../../src/sdk/index.ts';
import { MINER_ADDRESS, l2Key, sendDeposit, startHarness, until } from './helpers.ts';
import type { Harness } from './helpers.ts';

const alice = l2Key('err-alice');
const mallory = l2Key('err-mallory');
const CHAIN = 3;

async function raw(
  url: string,
  body: string,
): Promise<{
  status: number;
  json: { id?: unknown; error?: { code: number; message: string; data?: { code: string } }; result?: unknown };
}> {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
  return { status: res.status, json: JSON.parse(await res.text()) };
}

describe('JSON-RPC bad input', () => {
  let h: Harness;
  let from = 0;
  let snapshot: () => Promise<string>;

  before(async () => {
    h = await startHarness();
    await sendDeposit(h, alice, 100_000n);
    await h.btcClient.generateToAddress(2, MINER_ADDRESS);
    from = (await until('alice credited', () => h.client.getAccountByKey(packPoint(alice.publicKey)))).index;
    // What must not move: the state roots, the mempool, alice's account and the L2 height.
    snapshot = async () => {
      const s: StatusJson = await h.client.getStatus();
      return JSON.stringify([s.roots, s.mempool, s.height, await h.client.getAccount(from)]);
    };
    // The deposit's block may still be followed by one that closes its batch: start from a settled node.
    let last = await snapshot();
    let stable = 0;
    for (let round = 0; round < 100 && stable < 3; round++) {
      await new Promise((r) => setTimeout(r, 150));
      const now = await snapshot();
      stable = now === last ? stable + 1 : 0;
      last = now;
    }
    assert.equal(stable, 3, 'the node did not settle after the deposit');
  });
  after(async () => {
    await h.stop();
  });

  const rejects = async (call: () => Promise<unknown>, reason: string) => {
    const before = await snapshot();
    await assert.rejects(call(), (e: unknown) => {
      assert.ok(e instanceof KeelRpcError, `expected a KeelRpcError, got ${String(e)}`);
      assert.equal(e.reason, reason);
      assert.equal(e.code, ROLLUP_RPC_CODES[reason as keyof typeof ROLLUP_RPC_CODES] ?? e.code);
      return true;
    });
    await new Promise((r) => setTimeout(r, 120)); // a block interval or two
    assert.equal(await snapshot(), before, 'nothing changed');
  };
  const tx = (over: Partial<{ to: number; amount: bigint; fee: bigint; nonce: number }>, key = alice.privateKey) =>
    encodeTransaction(signTransfer(key, { from, to: 0, amount: 1n, fee: 1n, nonce: 0, ...over }, CHAIN));

  it('bad signature → -32002 BAD_SIGNATURE', () =>
    rejects(() => h.client.sendTransaction(tx({}, mallory.privateKey)), 'BAD_SIGNATURE'));
  it('wrong nonce → -32003 WRONG_NONCE', () =>
    rejects(() => h.client.sendTransaction(tx({ nonce: 99 })), 'WRONG_NONCE'));
  it('insufficient balance → -32004', () =>
    rejects(() => h.client.sendTransaction(tx({ amount: 100_000n })), 'INSUFFICIENT_BALANCE'));
  it('amount + fee past 2^63 → -32005 AMOUNT_OVERFLOW', async () => {
    const over = encodeTransaction(
      signTransfer(alice.privateKey, { from, to: 0, amount: MAX_AMOUNT, fee: MAX_AMOUNT, nonce: 0 }, CHAIN),
    );
    await rejects(() => h.client.sendTransaction(over), 'AMOUNT_OVERFLOW');
  });
  it('unknown account → -32006', async () => {
    await rejects(() => h.client.sendTransaction(tx({ to: 200 })), 'UNKNOWN_ACCOUNT');
    await rejects(() => h.client.getAccount(2 ** 20), 'UNKNOWN_ACCOUNT');
  });
  it('malformed encoding → -32001', async () => {
    const bytes = tx({});
    await rejects(() => h.client.sendTransaction(bytes.subarray(0, bytes.length - 3)), 'MALFORMED_ENCODING');
    await rejects(() => h.client.sendTransaction('ff00'), 'MALFORMED_ENCODING');
  });
  it('duplicate → -32007 DUPLICATE (after the first is accepted)', async () => {
    const bytes = tx({ amount: 10n });
    const { id } = await h.client.sendTransaction(bytes);
    await h.client.waitForTransaction(id);
    await rejects(() => h.client.sendTransaction(bytes), 'DUPLICATE');
  });

  it('malformed JSON, invalid requests, unknown methods and bad params get JSON-RPC errors', async () => {
    const url = h.node.rpcUrl;
    const before = await snapshot();
    let r = await raw(url, '{"jsonrpc":"2.0","id":1,"method":');
    assert.equal(r.json.error?.code, -32700);
    r = await raw(url, '{"id":1,"method":"keel_status"}');
    assert.equal(r.json.error?.code, -32600);
    r = await raw(url, '"hello"');
    assert.equal(r.json.error?.code, -32600);
    r = await raw(url, '[]');
    assert.equal(r.json.error?.code, -32600);
    r = await raw(url, '{"jsonrpc":"2.0","id":7,"method":"keel_nope"}');
    assert.equal(r.json.error?.code, -32601);
    assert.equal(r.json.id, 7);
    r = await raw(url, '{"jsonrpc":"2.0","id":2,"method":"keel_getAccount","params":["x"]}');
    assert.equal(r.json.error?.code, -32602);
    r = await raw(url, '{"jsonrpc":"2.0","id":2,"method":"keel_getAccount","params":{"nope":1}}');
    assert.equal(r.json.error?.code, -32602);
    r = await raw(url, '{"jsonrpc":"2.0","id":2,"method":"keel_getAccount","params":[1,2]}');
    assert.equal(r.json.error?.code, -32602);
    r = await raw(url, '{"jsonrpc":"2.0","id":2,"method":"keel_sendTransaction","params":["zz"]}');
    assert.equal(r.json.error?.code, -32602);
    r = await raw(url, '{"jsonrpc":"2.0","id":3,"method":"keel_subscribe","params":["newBlocks"]}');
    assert.equal(r.json.error?.code, -32030);
    r = await raw(url, '{"jsonrpc":"2.0","id":4,"method":"keel_getTransaction","params":["abc"]}');
    assert.equal(r.json.error?.code, -32602);
    // A batch answers each entry; notifications get no answer.
    const batch = await raw(
      url,
      JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'keel_chainId' },
        { jsonrpc: '2.0', method: 'keel_chainId' },
        { jsonrpc: '2.0', id: 2, method: 'keel_nope' },
      ]),
    );
    assert.deepEqual(batch.json, [
      { jsonrpc: '2.0', id: 1, result: 3 },
      {
        jsonrpc: '2.0',
        id: 2,
        error: { code: -32601, message: "method 'keel_nope' not found", data: { code: 'METHOD_NOT_FOUND' } },
      },
    ]);
    assert.equal(await snapshot(), before);
  });

  it('an oversized request is refused with HTTP 413 and a JSON-RPC error', async () => {
    const before = await snapshot();
    const big = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'keel_sendTransaction',
      params: ['00'.repeat(100_000)],
    });
    const r = await raw(h.node.rpcUrl, big);
    assert.equal(r.status, 413);
    assert.equal(r.json.error?.code, -32600);
    assert.equal(r.json.error?.data?.code, 'OVERSIZED');
    assert.equal(await snapshot(), before);
    assert.equal(await h.client.getChainId(), 3, 'still serving');
    // The same without a Content-Length (chunked): cut off while reading.
    const url = new URL(h.node.rpcUrl);
    const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, method: 'POST', path: '/' }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write('0'.repeat(10_000));
      req.end();
    });
    assert.equal(chunked.status, 413);
    assert.equal(JSON.parse(chunked.body).error.data.code, 'OVERSIZED');
    assert.equal(await snapshot(), before);
  });

  it('named params work; an unreachable node is a KeelTransportError', async () => {
    const r = await raw(
      h.node.rpcUrl,
      JSON.stringify({ jsonrpc: '2.0', id: 'a', method: 'keel_getAccount', params: { index: from } }),
    );
    assert.equal(r.json.id, 'a');
    assert.equal((r.json.result as { index: number }).index, from);
    const offline = createKeelClient({ transport: http('http://127.0.0.1:9') });
    await assert.rejects(offline.getStatus(), KeelTransportError);
  });

  it('metrics count requests and errors', async () => {
    const text = await (await fetch(`${h.node.rpcUrl}/metrics`)).text();
    assert.match(text, /keel_rpc_requests_total\{method="keel_sendTransaction",outcome="error"\} \d+/);
    assert.match(text, /keel_rpc_requests_total\{method="unknown",outcome="error"\} \d+/);
    assert.match(text, /keel_deposits_total 1/);
  });
});
