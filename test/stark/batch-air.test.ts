// The batch AIR end to end on a real batch from the rollup's state machine, and its soundness: an overspend, a
// deposit onto another key's account, a wrong root or digest, or any altered proof byte must not verify.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { State, poseidon2BabyBearHasher } from '../../src/rollup/index.ts';
import type { Account } from '../../src/rollup/index.ts';
import { buildStarkWitness, starkPublicInputs, verifyBatchStark } from '../../src/node/index.ts';
import {
  BatchAir,
  EMPTY_KEY_DIGEST,
  StarkError,
  accountKeyDigest,
  baseAlgebra,
  buildBatchTrace,
  decodeBatchPublicInputs,
  encodeBatchPublicInputs,
  findTraceViolation,
  packDigest,
  prove,
  segmentLength,
  unpackDigest,
  verify,
} from '../../src/stark/index.ts';
import type { BatchAirOp, BatchPublicInputs, BatchStep, BatchWitness, StarkAccount } from '../../src/stark/index.ts';
import { CHAIN, DEPTH, genesisAccounts, pub, sequenceBatch } from './batch-fixture.ts';
import type { SequencedBatch } from './batch-fixture.ts';

let batch: SequencedBatch;
let inputs: BatchPublicInputs;
let proof: Uint8Array;
let witness: BatchWitness;

before(async () => {
  batch = await sequenceBatch();
  const state = new State(DEPTH, [poseidon2BabyBearHasher]);
  state.commit(new Map(genesisAccounts()));
  witness = buildStarkWitness(state, batch.ops, batch.output.withdrawals, { chainId: CHAIN });
  const built = buildBatchTrace(witness);
  inputs = built.inputs;
  proof = prove(new BatchAir(inputs), built.trace);
});

after(async () => {
  await batch.node.close();
});

const hex = (d: Uint32Array): string => packDigest(d).toString(16);
const withInput = (patch: Partial<BatchPublicInputs>): BatchPublicInputs => ({ ...inputs, ...patch });
const bump = (d: Uint32Array): Uint32Array => d.map((v, i) => (i === 3 ? (v + 1) % 2013265921 : v));

describe('batch AIR: a real batch', () => {
  test('the batch covers every operation kind', () => {
    const kinds = new Set(batch.ops.map((o) => o.kind));
    for (const k of ['deposit', 'transfer', 'withdraw', 'forcedExit', 'feeCredit']) assert.ok(kinds.has(k as never), k);
    assert.ok(
      batch.ops.some((o) => o.kind === 'forcedExit' && !o.applied),
      'a rejected forced exit',
    );
    assert.ok(
      batch.ops.some((o) => o.kind === 'forcedExit' && o.applied),
      'an applied forced exit',
    );
  });

  test("the AIR's roots are the state's second roots", () => {
    assert.equal(packDigest(inputs.oldRoot), batch.output.oldRoots[1]);
    assert.equal(packDigest(inputs.newRoot), batch.output.newRoots[1]);
    assert.equal(packDigest(inputs.newRoot), batch.roots[1], 'the node tip carries the same STARK root');
  });

  test('a verifier recomputes the public inputs from the batch output and its L1 items alone', () => {
    const fromPublic = starkPublicInputs(batch.output, { depth: DEPTH, l1Items: batch.l1Items });
    assert.equal(fromPublic.segments, inputs.segments);
    assert.equal(hex(fromPublic.dataDigest), hex(inputs.dataDigest));
    assert.equal(hex(fromPublic.withdrawalDigest), hex(inputs.withdrawalDigest));
    assert.equal(hex(fromPublic.oldRoot), hex(inputs.oldRoot));
    assert.equal(hex(fromPublic.newRoot), hex(inputs.newRoot));
  });

  test('the proof verifies at ≥ 100 bits', () => {
    const verdict = verifyBatchStark(proof, inputs);
    assert.deepEqual(verdict, { ok: true, securityBits: 100 });
  });

  test('a proof is rejected by a verifier that demands more security', () => {
    const verdict = verifyBatchStark(proof, inputs, { minSecurityBits: 110 });
    assert.equal(verdict.ok, false);
  });

  for (const [name, patch] of [
    ['old root', () => ({ oldRoot: bump(inputs.oldRoot) })],
    ['new root', () => ({ newRoot: bump(inputs.newRoot) })],
    ['data digest', () => ({ dataDigest: bump(inputs.dataDigest) })],
    ['withdrawal digest', () => ({ withdrawalDigest: bump(inputs.withdrawalDigest) })],
    ['old and new root swapped', () => ({ oldRoot: inputs.newRoot, newRoot: inputs.oldRoot })],
    ['segment count', () => ({ segments: inputs.segments * 2 })],
    ['depth', () => ({ depth: DEPTH + 1 })],
  ] as const) {
    test(`a wrong ${name} is rejected`, () => {
      const verdict = verifyBatchStark(proof, withInput(patch()));
      assert.equal(verdict.ok, false);
      assert.equal(verdict.securityBits, 0);
    });
  }

  test('a withdrawal list that differs from the batch changes the public inputs', () => {
    const altered = {
      ...batch.output,
      withdrawals: batch.output.withdrawals.map((w, i) => (i === 1 ? { ...w, amount: w.amount + 1n } : w)),
    };
    // The forced exit's amount is read from the list, so the digest moves and the proof no longer verifies.
    const fromPublic = starkPublicInputs(altered, { depth: DEPTH, l1Items: batch.l1Items });
    assert.notEqual(hex(fromPublic.dataDigest), hex(inputs.dataDigest));
    assert.equal(verifyBatchStark(proof, fromPublic).ok, false);
  });

  test('flipped proof bytes are rejected, and malformed bytes never throw', () => {
    const positions = new Set<number>([0, 4, 5, 8, 12, 20, proof.length - 1]);
    for (let k = 0; k < 40; k++) positions.add(Math.floor((k * 7919 * 104729) % proof.length));
    for (const pos of positions) {
      const bad = proof.slice();
      bad[pos]! ^= 1 << (pos % 8);
      assert.equal(verifyBatchStark(bad, inputs).ok, false, `byte ${pos}`);
    }
    assert.equal(verifyBatchStark(proof.subarray(0, proof.length - 1), inputs).ok, false);
    assert.equal(verifyBatchStark(new Uint8Array([...proof, 0]), inputs).ok, false);
    assert.equal(verifyBatchStark(new Uint8Array(0), inputs).ok, false);
    assert.equal(verifyBatchStark('proof' as unknown as Uint8Array, inputs).ok, false);
    assert.equal(verifyBatchStark(proof, { ...inputs, oldRoot: new Uint32Array(3) }).ok, false);
  });

  test('public inputs encode to 136 bytes and decode back; malformed encodings are refused', () => {
    const bytes = encodeBatchPublicInputs(inputs);
    assert.equal(bytes.length, 136);
    assert.deepEqual(decodeBatchPublicInputs(bytes), inputs);
    assert.throws(() => decodeBatchPublicInputs(bytes.subarray(1)), StarkError);
    const bad = bytes.slice();
    bad.set([0xff, 0xff, 0xff, 0xff], 8); // the first word of the old root, above p
    assert.throws(() => decodeBatchPublicInputs(bad), StarkError);
    const odd = bytes.slice();
    odd[4] = 3; // 3 segments: not a power of two
    assert.throws(() => decodeBatchPublicInputs(odd), StarkError);
  });

  test('the generic constraints and their base-field twin agree on random rows', () => {
    const air = new BatchAir(inputs);
    const total = air.numRowConstraints + air.numTransitionConstraints;
    let seed = 12345;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % 2013265921;
    };
    for (let trial = 0; trial < 3; trial++) {
      const cur = Array.from({ length: air.traceWidth }, rand);
      const next = Array.from({ length: air.traceWidth }, rand);
      const per = Array.from({ length: 7 }, rand);
      const generic = new Array<number>(total).fill(0);
      air.evaluate(baseAlgebra, cur, next, per, generic);
      const fast = new Uint32Array(total);
      air.evaluateBase(Uint32Array.from(cur), Uint32Array.from(next), Uint32Array.from(per), fast);
      assert.deepEqual(Array.from(fast), generic);
    }
  });
});

/** Applies updates to `state` one by one, recording each step as the prover would, without any rule check. */
function craft(state: State, updates: Array<[number, Account]>): BatchStep[] {
  const steps: BatchStep[] = [];
  for (const [index, next] of updates) {
    const prev = state.getAccount(index);
    const siblings = state.trees[0]!.proof(index).map(unpackDigest);
    state.commit(new Map([[index, next]]));
    steps.push({ before: starkAccount(prev), after: starkAccount(next), siblings });
  }
  return steps;
}

function starkAccount(a: Readonly<Account>): StarkAccount {
  return { keyDigest: accountKeyDigest(a.ax, a.ay), balance: a.balance, nonce: a.nonce };
}

function smallState(depth = DEPTH): { state: State; accounts: Account[] } {
  const accounts: Account[] = [0, 1, 2].slice(0, 2 ** depth).map((i) => ({
    ax: pub(i).x,
    ay: pub(i).y,
    balance: i === 1 ? 100n : 0n,
    nonce: 0,
  }));
  const state = new State(depth, [poseidon2BabyBearHasher]);
  state.commit(new Map(accounts.map((a, i) => [i, a])));
  return { state, accounts };
}

function witnessOf(state: State, ops: BatchAirOp[], steps: BatchStep[]): BatchWitness {
  const pad = { account: starkAccount(state.getAccount(0)), siblings: state.trees[0]!.proof(0).map(unpackDigest) };
  return { depth: state.depth, ops, steps, pad };
}

describe('batch AIR: depth is a parameter', () => {
  for (const depth of [1, 4, 12, 13]) {
    test(`a batch at depth ${depth} (segment of ${segmentLength(depth)} rows) proves and verifies`, () => {
      const { state, accounts } = smallState(depth);
      const [fee, a, b] = accounts as [Account, Account, Account];
      if (depth === 1) {
        // Two leaves only: a deposit onto account 1, then the fee credit.
        const steps = craft(state, [
          [1, { ...a, balance: a.balance + 9n }],
          [0, fee],
        ]);
        const ops: BatchAirOp[] = [
          { kind: 'deposit', index: 1, amount: 9n, keyDigest: accountKeyDigest(a.ax, a.ay) },
          { kind: 'feeCredit', amount: 0n },
        ];
        const { trace, inputs: pi } = buildBatchTrace(witnessOf(state, ops, steps));
        assert.equal(verifyBatchStark(prove(new BatchAir(pi), trace), pi).ok, true);
        return;
      }
      const steps = craft(state, [
        [1, { ...a, balance: 60n, nonce: 1 }],
        [2, { ...b, balance: 35n }],
        [0, { ...fee, balance: 5n }],
      ]);
      const ops: BatchAirOp[] = [
        { kind: 'transfer', from: 1, to: 2, amount: 35n, fee: 5n },
        { kind: 'feeCredit', amount: 5n },
      ];
      const { trace, inputs: pi } = buildBatchTrace(witnessOf(state, ops, steps));
      assert.equal(packDigest(pi.newRoot), state.roots[0]);
      const air = new BatchAir(pi);
      assert.equal(air.traceLength, 4 * segmentLength(depth));
      assert.equal(verifyBatchStark(prove(air, trace), pi).ok, true);
    });
  }

  test('depths outside 1..30 are refused', () => {
    for (const depth of [0, 31, 2.5]) assert.throws(() => new BatchAir({ ...inputs, depth }), StarkError);
  });
});

describe('batch AIR: invalid batches cannot be proven', () => {
  test('an honest transfer of the whole balance satisfies the AIR (control)', () => {
    const { state, accounts } = smallState();
    const [fee, a, b] = accounts as [Account, Account, Account];
    const steps = craft(state, [
      [1, { ...a, balance: 0n, nonce: 1 }],
      [2, { ...b, balance: 100n }],
      [0, fee],
    ]);
    const ops: BatchAirOp[] = [
      { kind: 'transfer', from: 1, to: 2, amount: 100n, fee: 0n },
      { kind: 'feeCredit', amount: 0n },
    ];
    const { trace, inputs: pi } = buildBatchTrace(witnessOf(state, ops, steps));
    assert.equal(findTraceViolation(new BatchAir(pi), trace), null);
  });

  test('an overspend violates the AIR, the prover refuses it, and a proof forced through is rejected', () => {
    const { state, accounts } = smallState();
    const [fee, a, b] = accounts as [Account, Account, Account];
    // 150 out of a balance of 100: the sender's new balance wraps to 2^63 − 50, a valid-looking 63-bit value.
    const steps = craft(state, [
      [1, { ...a, balance: (1n << 63n) - 50n, nonce: 1 }],
      [2, { ...b, balance: 150n }],
      [0, fee],
    ]);
    const ops: BatchAirOp[] = [
      { kind: 'transfer', from: 1, to: 2, amount: 150n, fee: 0n },
      { kind: 'feeCredit', amount: 0n },
    ];
    const { trace, inputs: pi } = buildBatchTrace(witnessOf(state, ops, steps));
    const air = new BatchAir(pi);
    assert.notEqual(findTraceViolation(air, trace), null);
    assert.throws(
      () => prove(air, trace),
      (e: unknown) => e instanceof StarkError && e.code === 'INVALID_TRACE',
    );
    const forced = prove(air, trace, { unsafeSkipTraceCheck: true });
    assert.throws(() => verify(air, forced), StarkError);
    assert.equal(verifyBatchStark(forced, pi).ok, false);
  });

  test('a deposit onto an account holding another key violates the AIR', () => {
    const { state, accounts } = smallState();
    const [fee, a] = accounts as [Account, Account, Account];
    const intruder = pub(7);
    const steps = craft(state, [
      [1, { ...a, ax: intruder.x, ay: intruder.y, balance: a.balance + 5n }],
      [0, fee],
    ]);
    const ops: BatchAirOp[] = [
      { kind: 'deposit', index: 1, amount: 5n, keyDigest: accountKeyDigest(intruder.x, intruder.y) },
      { kind: 'feeCredit', amount: 0n },
    ];
    const { trace, inputs: pi } = buildBatchTrace(witnessOf(state, ops, steps));
    assert.notEqual(findTraceViolation(new BatchAir(pi), trace), null);
  });

  test('a transfer whose receiver gets more than the sender pays violates the AIR', () => {
    const { state, accounts } = smallState();
    const [fee, a, b] = accounts as [Account, Account, Account];
    const steps = craft(state, [
      [1, { ...a, balance: 90n, nonce: 1 }],
      [2, { ...b, balance: 1_000n }],
      [0, fee],
    ]);
    const ops: BatchAirOp[] = [
      { kind: 'transfer', from: 1, to: 2, amount: 10n, fee: 0n },
      { kind: 'feeCredit', amount: 0n },
    ];
    const { trace, inputs: pi } = buildBatchTrace(witnessOf(state, ops, steps));
    assert.notEqual(findTraceViolation(new BatchAir(pi), trace), null);
  });

  test('a sender whose nonce does not move violates the AIR', () => {
    const { state, accounts } = smallState();
    const [fee, a, b] = accounts as [Account, Account, Account];
    const steps = craft(state, [
      [1, { ...a, balance: 90n }],
      [2, { ...b, balance: 10n }],
      [0, fee],
    ]);
    const ops: BatchAirOp[] = [
      { kind: 'transfer', from: 1, to: 2, amount: 10n, fee: 0n },
      { kind: 'feeCredit', amount: 0n },
    ];
    const { trace, inputs: pi } = buildBatchTrace(witnessOf(state, ops, steps));
    assert.notEqual(findTraceViolation(new BatchAir(pi), trace), null);
  });

  test('a path that does not lead to the running root violates the AIR', () => {
    const { state, accounts } = smallState();
    const [fee, a, b] = accounts as [Account, Account, Account];
    const steps = craft(state, [
      [1, { ...a, balance: 90n, nonce: 1 }],
      [2, { ...b, balance: 10n }],
      [0, fee],
    ]);
    const bad = steps.map((s, i) =>
      i === 1 ? { ...s, siblings: s.siblings.map((d, l) => (l === 3 ? d.map((v) => (v + 1) % 2013265921) : d)) } : s,
    );
    const ops: BatchAirOp[] = [
      { kind: 'transfer', from: 1, to: 2, amount: 10n, fee: 0n },
      { kind: 'feeCredit', amount: 0n },
    ];
    const { trace, inputs: pi } = buildBatchTrace(witnessOf(state, ops, bad));
    assert.notEqual(findTraceViolation(new BatchAir(pi), trace), null);
  });

  test('the empty key digest is a constant of the AIR and no real key has it', () => {
    assert.equal(EMPTY_KEY_DIGEST.length, 8);
    assert.notEqual(hex(accountKeyDigest(pub(1).x, pub(1).y)), hex(EMPTY_KEY_DIGEST));
  });
});
