// Witness generation and Groth16 proving with snarkjs, as separate steps with artifacts between them.
import * as snarkjs from 'snarkjs';
import type { CompiledCircuit } from './compile.ts';
import { ProveError, WitnessError } from './errors.ts';
import { encodeProof, proofFromSnarkjs, verifyBatchProof } from './groth16.ts';
import type { Groth16Proof } from './groth16.ts';
import type { CircuitKeys } from './setup.ts';
import type { CircuitInput } from './witness.ts';
import { readWitness } from './wtns.ts';

/**
 * Runs the circuit's witness generator (circom's WebAssembly). Any failed assertion or unsatisfiable constraint in
 * the inputs surfaces as a WitnessError: such a batch cannot be proven.
 */
export async function calculateWitness(circuit: CompiledCircuit, input: CircuitInput): Promise<Uint8Array> {
  const out: { type: 'mem'; data?: Uint8Array } = { type: 'mem' };
  try {
    await snarkjs.wtns.calculate(input, circuit.wasmPath, out);
  } catch (cause) {
    throw new WitnessError('The inputs do not satisfy the circuit', {
      details: cause instanceof Error ? cause.message.split('\n')[0] : String(cause),
      cause,
    });
  }
  if (!out.data) throw new WitnessError('The witness generator returned nothing');
  return out.data;
}

export interface BatchProof {
  proof: Groth16Proof;
  proofBytes: Uint8Array;
  publicInput: bigint;
}

/** Proves a witness and checks the proof against the verification key before handing it out. */
export async function proveWitness(keys: CircuitKeys, witness: Uint8Array): Promise<BatchProof> {
  const values = readWitness(witness);
  // Signal 1 is the circuit's only public signal (its output).
  const publicInput = values[1];
  if (publicInput === undefined) throw new ProveError('The witness has no public signal');
  let result: Awaited<ReturnType<typeof snarkjs.groth16.prove>>;
  try {
    result = await snarkjs.groth16.prove(keys.zkeyPath, witness);
  } catch (cause) {
    throw new ProveError('snarkjs failed to prove', { cause });
  }
  if (result.publicSignals.length !== 1 || BigInt(result.publicSignals[0]!) !== publicInput) {
    throw new ProveError('The proof is for another public input');
  }
  const proof = proofFromSnarkjs(result.proof);
  if (!verifyBatchProof(keys.vk, publicInput, proof)) throw new ProveError('The new proof does not verify');
  return { proof, proofBytes: encodeProof(proof), publicInput };
}
