// Soundness, issue 5 §3: perturb every non-input signal of a valid witness in turn; some constraint must break.
// Our own R1CS evaluator checks each perturbation (only the constraints that mention the wire can change), and
// `snarkjs wtns check` confirms the verdicts on the valid witness, on sampled perturbations and on anything undetected.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import * as snarkjs from 'snarkjs';
import { compileCircuit } from '../../src/snark/compile.ts';
import { batchCircuitSpec } from '../../src/snark/index.ts';
import { calculateWitness } from '../../src/snark/prove.ts';
import { releaseSnarkjs } from '../../src/snark/setup.ts';
import { buildBatchWitness } from '../../src/snark/witness.ts';
import { constraintHolds, constraintsByWire, readR1cs, readWitness, withWitnessValue } from '../../src/snark/wtns.ts';
import type { Op } from '../../src/rollup/index.ts';
import { CHAIN_ID, SMALL, deposit, forcedExit, genesis, transfer, withdraw } from './fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'keel-mutation-'));
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await releaseSnarkjs();
});

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** Signal names per wire, from the .sym file (label, wire, component, name). */
function wireNames(symPath: string): Map<number, string[]> {
  const names = new Map<number, string[]>();
  for (const line of readFileSync(symPath, 'utf8').split('\n')) {
    const [, wire, , name] = line.split(',');
    if (name === undefined || wire === undefined || Number(wire) < 0) continue;
    const list = names.get(Number(wire)) ?? [];
    list.push(name);
    names.set(Number(wire), list);
  }
  return names;
}

async function snarkjsAccepts(r1csPath: string, wtns: Uint8Array, name: string): Promise<boolean> {
  const path = join(dir, `${name}.wtns`);
  writeFileSync(path, wtns);
  return snarkjs.wtns.check(r1csPath, path, quiet);
}

describe(`mutation test on Batch(${SMALL.slots}, ${SMALL.depth}, ${SMALL.withdrawalDepth})`, () => {
  test('every perturbed non-input signal breaks a constraint, except IsZero hints whose input is 0', async () => {
    const circuit = await compileCircuit(batchCircuitSpec(SMALL));
    const tree = genesis(SMALL.depth, 4, 1_000_000n);
    const ops: Op[] = [
      deposit(0, 4, 5, 50_000n),
      transfer(1, 2, 1000n, 10n, 0),
      withdraw(2, 5000n, 20n, 0),
      forcedExit(1, 3, 0, true),
      { kind: 'feeCredit', amount: 30n },
    ];
    const built = buildBatchWitness(
      SMALL,
      { batchNumber: 1, chainId: CHAIN_ID, queueStart: 0, queueStartHash: 0n },
      tree,
      ops,
    );
    const wtns = await calculateWitness(circuit, built.input);
    const r1cs = readR1cs(readFileSync(circuit.r1csPath));
    const w = readWitness(wtns);
    assert.equal(w.length, r1cs.nWires);
    for (let i = 0; i < r1cs.constraints.length; i++)
      assert.ok(constraintHolds(r1cs, i, w), `constraint ${i} fails on the valid witness`);
    assert.equal(await snarkjsAccepts(circuit.r1csPath, wtns, 'valid'), true, 'snarkjs rejects the valid witness');

    const byWire = constraintsByWire(r1cs);
    const firstPrivate = 1 + r1cs.nOutputs + r1cs.nPublicInputs + r1cs.nPrivateInputs;
    const targets: number[] = [];
    for (let i = 1; i <= r1cs.nOutputs; i++) targets.push(i);
    for (let i = firstPrivate; i < r1cs.nWires; i++) targets.push(i);
    const undetected: number[] = [];
    for (const wire of targets) {
      const original = w[wire]!;
      w[wire] = (original + 1n) % r1cs.prime;
      if (byWire[wire]!.every((c) => constraintHolds(r1cs, c, w))) undetected.push(wire);
      w[wire] = original;
    }
    const names = wireNames(circuit.symPath);
    const report = undetected.map((wire) => `${wire}: ${(names.get(wire) ?? ['?']).join(' = ')}`);
    if (report.length) console.log(`undetected signals:\n${report.join('\n')}`);
    // Cross-check with snarkjs: a few detected perturbations must fail its check, undetected ones pass it.
    const sample = [targets[0]!, targets[Math.floor(targets.length / 2)]!, targets[targets.length - 1]!];
    for (const wire of sample) {
      if (undetected.includes(wire)) continue;
      const mutated = withWitnessValue(wtns, wire, (w[wire]! + 1n) % r1cs.prime);
      assert.equal(
        await snarkjsAccepts(circuit.r1csPath, mutated, `w${wire}`),
        false,
        `snarkjs accepts perturbed wire ${wire}`,
      );
    }
    for (const wire of undetected.slice(0, 3)) {
      const mutated = withWitnessValue(wtns, wire, (w[wire]! + 1n) % r1cs.prime);
      assert.equal(await snarkjsAccepts(circuit.r1csPath, mutated, `u${wire}`), true);
    }
    console.log(`mutation test: ${targets.length} non-input signals perturbed, ${undetected.length} undetected`);
    // The only signals allowed to move are the `inv` hints of circomlib's IsZero (also inside IsEqual) whose input is
    // 0: then out = 1 - in*inv = 1 whatever inv is, and inv feeds nothing else. A perturbed inv therefore leaves a
    // witness with every other signal, and the public input, unchanged: harmless. Anything else is a soundness bug.
    const harmful = undetected.filter((wire) => {
      const signal = names.get(wire) ?? [];
      return !(signal.length > 0 && signal.every((n) => n.endsWith('.inv')) && w[wire] === 0n);
    });
    assert.deepEqual(
      harmful.map((wire) => `${wire}: ${(names.get(wire) ?? ['?']).join(' = ')}`),
      [],
      'signals not pinned by any constraint',
    );
    assert.ok(undetected.length < targets.length / 100, 'suspiciously many free signals');
  });
});
