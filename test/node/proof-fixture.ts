// A real Groth16 key whose single public signal can be any field element: circomlib's Bits2Num(254) outputs the
// number its (private) bits spell. Proofs from it are genuine Groth16 proofs for a chosen public input, so the node's
// proof path (verify against the batch, store, serve, check from the CLI) is tested without the batch circuit's
// minutes of setup; the batch circuit itself is tested in test/snark/.
import { calculateWitness, proveWitness, setupCircuit } from '../../src/snark/index.ts';
import type { CircuitKeys, CircuitSpec } from '../../src/snark/index.ts';

export const ANY_INPUT_SPEC: CircuitSpec = {
  name: 'node_test_any_input',
  include: 'circomlib/circuits/bitify.circom',
  template: 'Bits2Num',
  params: [254],
  publicInputs: [],
};

let keys: Promise<CircuitKeys> | undefined;
export const anyInputKeys = (): Promise<CircuitKeys> => (keys ??= setupCircuit(ANY_INPUT_SPEC));

/** A 256-byte Groth16 proof whose public input is `value`. */
export async function proofFor(value: bigint): Promise<Uint8Array> {
  const k = await anyInputKeys();
  const bits = Array.from({ length: 254 }, (_, i) => (value >> BigInt(i)) & 1n);
  const witness = await calculateWitness(k.circuit, { in: bits });
  const proof = await proveWitness(k, witness);
  if (proof.publicInput !== value) throw new Error('the fixture proved another input');
  return proof.proofBytes;
}
