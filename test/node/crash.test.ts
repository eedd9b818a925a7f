// Crash safety through the real node (issue 4, acceptance "Crash"): a user is acknowledged by the node's JSON-RPC
// answer to keel_sendTransaction. A child runs KeelNode on LevelDB; this test sends 10,000 pre-signed transfers over
// HTTP, SIGKILLs the child mid-burst with requests in flight, restarts it on the same directory and checks that
// every acknowledged transaction is there, nothing else appeared, supply is conserved and the stored state root
// equals a replay from genesis with every signature re-checked. (test/rollup/crash.test.ts does the same for the
// bare rollup core, in-process.)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fieldHex } from '../../src/node/index.ts';
import {
  LevelStore,
  RollupNode,
  encodeTransaction,
  packPoint,
  poseidon2BabyBearHasher,
  replayFromStore,
  signTransfer,
  transactionId,
} from '../../src/rollup/index.ts';
import { createKeelClient, http } from '../../src/sdk/index.ts';
import type { KeelClient, TransactionStatusJson } from '../../src/sdk/index.ts';
import { CRASH_ACCOUNTS, CRASH_DEPOSIT, crashKey, crashRollupConfig, until } from './helpers.ts';

const PER_ACCOUNT = 50;
const TRANSFERS = CRASH_ACCOUNTS * PER_ACCOUNT; // 10,000
const MAX_IN_FLIGHT = 64;
/** Every fourth request is a JSON-RPC batch of this many transfers (of distinct accounts). */
const BATCH = 8;
const KILL_AT = 3_000;
const CHILD = join(import.meta.dirname, 'crash-child.ts');

type Tx = { id: string; hex: string; from: number; to: number; amount: bigint; fee: bigint; nonce: number };

type Child = {
  proc: ChildProcess;
  /** Once the node serves: its RPC URL and the stored tip it opened at. */
  serving: Promise<{ url: string; openedAt: number }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  log: string[];
};

function startChild(dir: string): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  createInterface({ input: proc.stderr! }).on('line', (line) => {
    log.push(line);
    if (log.length > 40) log.shift();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const serving = new Promise<{ url: string; openedAt: number }>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      const [tag, url, openedAt] = line.split(' ');
      if (tag === 'rpc' && url && openedAt) resolve({ url, openedAt: Number(openedAt) });
    });
    void exited.then(({ code, signal }) =>
      reject(new Error(`the node exited before serving (${code ?? signal}):\n${log.join('\n')}`)),
    );
  });
  serving.catch(() => {}); // observed by whoever awaits it; an early exit must not be an unhandled rejection
  return { proc, serving, exited, log };
}

function within<T>(what: string, p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

type RpcReply = { id: number; result?: unknown; error?: { code: number; message: string } };

/** One JSON-RPC batch over HTTP (the SDK sends single requests only); the replies in call order. */
async function rpcBatch(url: string, calls: { method: string; params: unknown[] }[]): Promise<RpcReply[]> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(calls.map((c, id) => ({ jsonrpc: '2.0', id, ...c }))),
    signal: AbortSignal.timeout(30_000),
  });
  const replies = (await res.json()) as RpcReply[];
  assert.ok(Array.isArray(replies), `a batch answer must be an array, got ${JSON.stringify(replies).slice(0, 200)}`);
  const byId = new Map(replies.map((r) => [r.id, r]));
  return calls.map((c, id) => {
    const r = byId.get(id);
    if (!r) throw new Error(`the batch answer lacks call ${id} (${c.method})`);
    return r;
  });
}

/** Statuses of many transactions, 100 per JSON-RPC batch. */
async function statuses(url: string, ids: readonly string[]): Promise<Map<string, TransactionStatusJson>> {
  const out = new Map<string, TransactionStatusJson>();
  for (let i = 0; i < ids.length; i += 100) {
    const chunk = ids.slice(i, i + 100);
    const replies = await rpcBatch(
      url,
      chunk.map((id) => ({ method: 'keel_getTransaction', params: [id] })),
    );
    replies.forEach((r, j) => {
      if (r.error) throw new Error(`keel_getTransaction ${chunk[j]}: ${r.error.message}`);
      out.set(chunk[j]!, r.result as TransactionStatusJson);
    });
  }
  return out;
}

/** Account a (1-based) sends PER_ACCOUNT transfers in nonce order to other accounts. */
function signBurst(): Tx[][] {
  const config = crashRollupConfig();
  const out: Tx[][] = [];
  for (let a = 1; a <= CRASH_ACCOUNTS; a++) {
    const key = crashKey(a).privateKey;
    const txs: Tx[] = [];
    for (let nonce = 0; nonce < PER_ACCOUNT; nonce++) {
      const to = ((a + ((nonce * 37) % (CRASH_ACCOUNTS - 1))) % CRASH_ACCOUNTS) + 1; // never a itself
      const fields = {
        from: a,
        to,
        amount: BigInt(1 + ((a * 131 + nonce * 17) % 997)),
        fee: BigInt(1 + (nonce % 3)),
        nonce,
      };
      const bytes = encodeTransaction(signTransfer(key, fields, config.chainId));
      txs.push({ ...fields, id: transactionId(bytes), hex: Buffer.from(bytes).toString('hex') });
    }
    out.push(txs);
  }
  return out;
}

type BurstResult = { acked: Set<string>; sentUnacked: Set<string>; inFlightAtKill: number; errors: string[] };

/**
 * Sends the burst with at most MAX_IN_FLIGHT transfers in flight and one per account (nonces go out in order, each
 * after the previous one was acknowledged), mostly through the SDK client, every fourth request a JSON-RPC batch.
 * SIGKILLs the child on the KILL_AT-th acknowledgement and settles once every request has an outcome.
 */
function burst(client: KeelClient, url: string, perAccount: Tx[][], child: Child): Promise<BurstResult> {
  const acked = new Set<string>();
  const sent = new Set<string>();
  const errors: string[] = [];
  const next = new Array<number>(CRASH_ACCOUNTS).fill(0);
  const ready = Array.from({ length: CRASH_ACCOUNTS }, (_, i) => i);
  let inFlight = 0;
  let requests = 0;
  let killed = false;
  let inFlightAtKill = 0;
  return new Promise<BurstResult>((resolve) => {
    const finish = () => {
      const sentUnacked = new Set([...sent].filter((id) => !acked.has(id)));
      resolve({ acked, sentUnacked, inFlightAtKill, errors });
    };
    const settle = (group: Tx[], answers: (string | Error)[]) => {
      group.forEach((tx, i) => {
        const answer = answers[i]!;
        if (typeof answer === 'string') {
          if (answer !== tx.id) errors.push(`acknowledged ${tx.id} as ${answer}`);
          acked.add(tx.id);
          if (!killed && ++next[tx.from - 1]! < PER_ACCOUNT) ready.push(tx.from - 1);
        } else if (!killed) errors.push(`${tx.id}: ${answer.message}`);
      });
      inFlight -= group.length;
      if (!killed && acked.size >= KILL_AT) {
        killed = true;
        inFlightAtKill = inFlight;
        child.proc.kill('SIGKILL');
      }
      if (inFlight === 0 && (killed || ready.length === 0 || errors.length > 0)) finish();
      else pump();
    };
    const pump = () => {
      while (!killed && errors.length === 0 && inFlight < MAX_IN_FLIGHT && ready.length > 0) {
        const size = ++requests % 4 === 0 ? Math.min(BATCH, ready.length, MAX_IN_FLIGHT - inFlight) : 1;
        const group = ready.splice(0, size).map((a) => perAccount[a]![next[a]!]!);
        inFlight += group.length;
        for (const tx of group) sent.add(tx.id);
        const answers: Promise<(string | Error)[]> =
          size === 1
            ? client.sendTransaction(group[0]!.hex).then(
                (r) => [r.id],
                (err: unknown) => [err instanceof Error ? err : new Error(String(err))],
              )
            : rpcBatch(
                url,
                group.map((tx) => ({ method: 'keel_sendTransaction', params: [tx.hex] })),
              ).then(
                (replies) =>
                  replies.map((r) => (r.error ? new Error(r.error.message) : (r.result as { id: string }).id)),
                (err: unknown) => group.map(() => (err instanceof Error ? err : new Error(String(err)))),
              );
        void answers.then((a) => settle(group, a));
      }
    };
    pump();
  });
}

async function crashThroughRpc(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'keel-node-crash-'));
  const children: Child[] = [];
  const config = crashRollupConfig();
  const extraHashers = [poseidon2BabyBearHasher];
  try {
    const first = startChild(dir);
    children.push(first);
    let mark = Date.now();
    const phases: string[] = [];
    const phase = (name: string) => {
      phases.push(`${name} ${((Date.now() - mark) / 1000).toFixed(1)} s`);
      mark = Date.now();
    };
    const perAccount = signBurst(); // while the child starts
    phase('signing');
    const byId = new Map(perAccount.flat().map((tx) => [tx.id, tx]));
    assert.equal(byId.size, TRANSFERS);
    const { url: url1 } = await within('the node to serve', first.serving, 60_000);
    const client1 = createKeelClient({ transport: http(url1) });
    for (const a of [1, CRASH_ACCOUNTS]) {
      const account = await client1.getAccountByKey(packPoint(crashKey(a).publicKey));
      assert.equal(account?.index, a, `crash key ${a} owns account ${a}`);
      assert.equal(account?.balance, String(CRASH_DEPOSIT));
    }

    phase('start and deposits');
    const started = Date.now();
    const { acked, sentUnacked, inFlightAtKill, errors } = await within(
      'the burst',
      burst(client1, url1, perAccount, first),
      120_000,
    );
    const seconds = (Date.now() - started) / 1000;
    assert.deepEqual(errors, [], 'every transfer of the burst is valid');
    const exit = await within('the killed node to exit', first.exited, 10_000);
    assert.equal(exit.signal, 'SIGKILL', 'the node was killed, not stopped');
    assert.ok(acked.size >= KILL_AT && acked.size < TRANSFERS, `killed mid-burst (${acked.size} acknowledged)`);
    assert.ok(inFlightAtKill > 0, 'requests were in flight at the kill');
    console.log(
      `# crash: ${acked.size} transfers acknowledged over JSON-RPC before the kill (${Math.round(acked.size / seconds)}/s), ` +
        `${inFlightAtKill} in flight at the kill, ${sentUnacked.size} sent without an answer`,
    );

    phase('burst');
    // Restart on the same directory.
    const second = startChild(dir);
    children.push(second);
    const { url, openedAt } = await within('the restarted node to serve', second.serving, 60_000);
    const client = createKeelClient({ transport: http(url) });
    const ackedIds = [...acked];
    const atRestart = await statuses(url, ackedIds);
    const lost = ackedIds.filter((id) => !['pending', 'soft'].includes(atRestart.get(id)!.status));
    assert.equal(
      lost.length,
      0,
      `${lost.length} of ${acked.size} acknowledged transfers are neither pending nor soft after the restart, e.g. ` +
        lost
          .slice(0, 3)
          .map((id) => `${id} ${atRestart.get(id)!.status}`)
          .join(', '),
    );
    // Let the node include everything, then close a batch so the fees are credited.
    const final = await until(
      'every acknowledged transfer to be soft',
      async () => {
        const s = await statuses(url, ackedIds);
        return [...s.values()].every((v) => v.status === 'soft') && s;
      },
      60_000,
    );
    // Acknowledged but only in the mempool (its stored pending record) at the kill: included by the restarted node.
    const pendingAtKill = [...final.values()].filter((s) => s.block! > openedAt).length;
    await until(
      'the mempool to drain and the last batch to close',
      async () => {
        const s = await client.getStatus();
        if (s.mempool !== 0 || s.lastBatch === 0) return false;
        return (await client.getBatch(s.lastBatch))?.lastBlock === s.height;
      },
      60_000,
    );

    // Nothing else: a transfer sent but not answered may have been written (soft) or not (unknown); one never
    // sent must be unknown.
    const others = [...byId.keys()].filter((id) => !acked.has(id));
    const otherStatus = await statuses(url, others);
    const softUnacked: string[] = [];
    for (const id of others) {
      const s = otherStatus.get(id)!.status;
      if (sentUnacked.has(id)) assert.ok(s === 'soft' || s === 'unknown', `${id} sent, unanswered, is ${s}`);
      else assert.equal(s, 'unknown', `${id} was never sent`);
      if (s === 'soft') softUnacked.push(id);
    }
    console.log(
      `# crash: restarted at height ${openedAt}; ${pendingAtKill} acknowledged transfers were pending (not yet in a ` +
        `block) at the kill and were included after the restart; ` +
        `${softUnacked.length} unanswered transfers had been written before the kill`,
    );

    // The included transfers of each account are exactly its nonces 0..k-1, and the balances are what they imply.
    const included = [...acked, ...softUnacked].map((id) => byId.get(id)!);
    const expected = new Map<number, { balance: bigint; nonce: number }>();
    expected.set(0, { balance: 0n, nonce: 0 });
    for (let a = 1; a <= CRASH_ACCOUNTS; a++) expected.set(a, { balance: CRASH_DEPOSIT, nonce: 0 });
    for (const tx of included) {
      expected.get(tx.from)!.balance -= tx.amount + tx.fee;
      expected.get(tx.to)!.balance += tx.amount;
      expected.get(0)!.balance += tx.fee;
      expected.get(tx.from)!.nonce++;
    }
    for (const tx of included)
      assert.ok(tx.nonce < expected.get(tx.from)!.nonce, `account ${tx.from}: nonce ${tx.nonce} included past a gap`);
    let supply = 0n;
    for (let a = 0; a <= CRASH_ACCOUNTS; a++) {
      const account = await client.getAccount(a);
      assert.ok(account, `account ${a} exists`);
      assert.equal(account.balance, String(expected.get(a)!.balance), `balance of account ${a}`);
      assert.equal(account.nonce, expected.get(a)!.nonce, `nonce of account ${a}`);
      supply += BigInt(account.balance);
    }
    assert.equal(supply, CRASH_DEPOSIT * BigInt(CRASH_ACCOUNTS), 'total supply equals the deposits');

    phase('restart and checks over RPC');
    const served = await client.getStatus();
    second.proc.kill('SIGTERM');
    assert.deepEqual(await within('the node to stop', second.exited, 30_000), { code: 0, signal: null });

    // The stored state (checked against its tip block on open) against a replay from genesis.
    const node = await RollupNode.open({ config, store: await LevelStore.open(join(dir, 'l2')), extraHashers });
    const stored = { height: node.height, roots: node.roots, pendingFees: node.pendingFees };
    let balances = 0n;
    for (let a = 0; a <= CRASH_ACCOUNTS; a++) balances += node.getAccount(a).balance;
    await node.close();
    assert.equal(balances + stored.pendingFees, CRASH_DEPOSIT * BigInt(CRASH_ACCOUNTS), 'stored supply');
    assert.equal(stored.height, served.height);
    assert.deepEqual(stored.roots.map(fieldHex), served.roots);
    const store = await LevelStore.open(join(dir, 'l2'));
    try {
      const replay = await replayFromStore(store, config, { verifySignatures: true, extraHashers });
      assert.equal(replay.blocks, stored.height, 'replayed height');
      assert.deepEqual(replay.roots, stored.roots, 'replayed state roots (BN254 and STARK trees)');
      phase('stop, reopen and replay');
      console.log(`# crash: height ${stored.height}; ${phases.join(', ')}`);
    } finally {
      await store.close();
    }
  } finally {
    for (const c of children)
      if (c.proc.exitCode === null && c.proc.signalCode === null) {
        c.proc.kill('SIGKILL');
        await within('a child to die', c.exited, 10_000).catch(() => {});
      }
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('crash safety through the JSON-RPC node', () => {
  it(
    'kill -9 during a burst of 10,000 transfers loses nothing acknowledged; the root equals a replay',
    { timeout: 240_000 },
    crashThroughRpc,
  );
});
