// The INSECURE development ceremony generator (ARCHITECTURE.md decision 7) against snarkjs itself.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Field } from '@noble/curves/abstract/modular.js';
import * as snarkjs from 'snarkjs';
import { poseidon } from '../../src/rollup/index.ts';
import {
  BN254_R,
  devCeremonySecrets,
  lagrangeAtTau,
  readPtauInfo,
  rootOfUnity,
  writeDevPtau,
} from '../../src/snark/ptau.ts';
import { calculateWitness, proveWitness } from '../../src/snark/prove.ts';
import { releaseSnarkjs, setupCircuit } from '../../src/snark/setup.ts';
import { verifyBatchProof } from '../../src/snark/groth16.ts';
import { StateTree, accountLeaf, merkleRoot } from '../../src/snark/tree.ts';

const Fr = Field(BN254_R);
const dir = mkdtempSync(join(tmpdir(), 'keel-ptau-'));
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await releaseSnarkjs();
});

describe('development powers of tau', () => {
  test('roots of unity have the exact order ffjavascript uses', () => {
    for (const p of [1, 5, 17, 28]) {
      const w = rootOfUnity(p);
      assert.equal(Fr.pow(w, 2n ** BigInt(p)), 1n, `w^(2^${p}) = 1`);
      assert.notEqual(Fr.pow(w, 2n ** BigInt(p - 1)), 1n, `w^(2^${p - 1}) != 1`);
    }
  });

  test('Lagrange values at tau interpolate tau^k', () => {
    const tau = 1234567n;
    const p = 4;
    const m = 1 << p;
    const l = lagrangeAtTau(tau, p);
    const w = rootOfUnity(p);
    for (const k of [0, 1, 7, 15]) {
      // sum_i L_i(tau) * (w^i)^k = tau^k for k < m
      let sum = 0n;
      for (let i = 0; i < m; i++) sum = Fr.add(sum, Fr.mul(l[i]!, Fr.pow(w, BigInt(i * k))));
      assert.equal(sum, Fr.pow(tau, BigInt(k)), `k = ${k}`);
    }
  });

  test('prepared sections equal snarkjs preparePhase2 of the same powers, byte for byte', async () => {
    const raw = join(dir, 'raw.ptau');
    const ours = join(dir, 'ours.ptau');
    const theirs = join(dir, 'theirs.ptau');
    await writeDevPtau(raw, 5, { prepared: false });
    await writeDevPtau(ours, 5);
    await snarkjs.powersOfTau.preparePhase2(raw, theirs);
    const a = readFileSync(ours);
    const b = readFileSync(theirs);
    assert.equal(a.length, b.length);
    assert.ok(a.equals(b), 'the generated file differs from what snarkjs prepares');
    assert.deepEqual(readPtauInfo(ours), { path: ours, power: 5, prepared: true });
  });

  test('secrets are reproducible from the public label (that is why it is insecure)', () => {
    assert.deepEqual(devCeremonySecrets(), devCeremonySecrets());
    assert.notEqual(devCeremonySecrets().tau, devCeremonySecrets('another label').tau);
  });

  test('snarkjs runs Groth16 setup, prove and verify on a generated ceremony', async () => {
    const ptau = join(dir, 'pot11.ptau');
    await writeDevPtau(ptau, 11);
    const depth = 4;
    const keys = await setupCircuit(
      {
        name: 'merkle_update4',
        include: 'lib/merkle.circom',
        template: 'MerkleUpdateAt',
        params: [depth],
        publicInputs: ['oldRoot'],
      },
      { ptauPath: ptau },
    );
    const tree = new StateTree(depth, [[3, { ax: 5n, ay: 6n, balance: 7n, nonce: 1n }]]);
    const index = 9;
    const oldLeaf = accountLeaf(tree.get(index));
    const newLeaf = poseidon([1n, 2n, 3n]);
    const siblings = tree.siblings(index);
    const wtns = await calculateWitness(keys.circuit, {
      oldRoot: tree.root,
      index: BigInt(index),
      oldLeaf,
      newLeaf,
      siblings,
    });
    // Public signals: the output newRoot, then the public input oldRoot. Our verifier takes one input, so check
    // with snarkjs's verifier here.
    const { proof, publicSignals } = await snarkjs.groth16.prove(keys.zkeyPath, wtns);
    assert.deepEqual(publicSignals, [merkleRoot(newLeaf, index, siblings).toString(), tree.root.toString()]);
    assert.equal(await snarkjs.groth16.verify(keys.vkJson, publicSignals, proof), true);
    const forged = [...publicSignals];
    forged[0] = (BigInt(forged[0]!) + 1n).toString();
    assert.equal(await snarkjs.groth16.verify(keys.vkJson, forged, proof), false);
    assert.equal(typeof proveWitness, 'function');
    assert.equal(typeof verifyBatchProof, 'function');
  });
});
