import { fail } from '../errors.ts';
import { P, isFieldElement } from './field.ts';
import { MAX_POSEIDON_INPUTS, ROUNDS_F, params } from './poseidon-constants.ts';
import { poseidonKernel } from './wasm/poseidon-kernel.ts';
import { MAX_X2_WIDTH, poseidonKernelX2 } from './wasm/poseidon-kernel-x2.ts';

/**
 * Poseidon over BN254 exactly as circomlib's `Poseidon(n)` (constants and their optimised schedule in
 * `poseidon-constants.ts`). The public functions run the permutation in a generated WebAssembly kernel
 * (`wasm/poseidon-kernel.ts`, Montgomery arithmetic on 29-bit limbs), several times faster than BigInt; the BigInt
 * version below is the readable reference the kernel is cross-tested against.
 */
export { MAX_POSEIDON_INPUTS };

function pow5(a: bigint): bigint {
  const a2 = (a * a) % P;
  return (((a2 * a2) % P) * a) % P;
}

function fullRound(s: bigint[], c: bigint[], m: bigint[][], t: number, tmp: bigint[]): void {
  for (let i = 0; i < t; i++) tmp[i] = pow5(s[i]! + c[i]!);
  for (let i = 0; i < t; i++) {
    const row = m[i]!;
    let acc = 0n;
    for (let j = 0; j < t; j++) acc += row[j]! * tmp[j]!;
    s[i] = acc % P;
  }
}

/** Reference permutation in BigInt (the same schedule as the kernel), for cross-tests. */
export function poseidonPermuteReference(input: readonly bigint[]): bigint[] {
  const t = input.length;
  const o = params(t);
  const s = input.slice();
  const tmp = new Array<bigint>(t);
  const half = ROUNDS_F / 2;
  for (let r = 0; r < half; r++) fullRound(s, o.fullC[r]!, r === half - 1 ? o.M0 : o.M, t, tmp);
  for (let r = 0; r < o.rp; r++) {
    const s0 = pow5(s[0]! + o.partialC[r]!);
    const row = o.sparseRow[r]!;
    const col = o.sparseCol[r]!;
    let acc = row[0]! * s0;
    for (let j = 1; j < t; j++) acc += row[j]! * s[j]!;
    for (let i = 1; i < t; i++) s[i] = (s[i]! + col[i - 1]! * s0) % P;
    s[0] = acc % P;
  }
  for (let r = half; r < ROUNDS_F; r++) fullRound(s, o.fullC[r]!, o.M, t, tmp);
  return s;
}

function checkWidth(t: number): void {
  if (!Number.isInteger(t) || t < 2 || t > MAX_POSEIDON_INPUTS + 1)
    fail('INVALID_PARAMETER', `Poseidon supports 1..${MAX_POSEIDON_INPUTS} inputs, got ${t - 1}`);
}

/** The permutation on a full state (length t = inputs + 1) of canonical field elements. */
export function poseidonPermute(input: readonly bigint[]): bigint[] {
  checkWidth(input.length);
  for (const x of input) if (!isFieldElement(x)) fail('INVALID_PARAMETER', 'Poseidon input is not a field element');
  return poseidonKernel(input.length).permute(input);
}

/** circomlib `Poseidon(inputs.length)`. Inputs must be canonical field elements. */
export function poseidon(inputs: readonly bigint[]): bigint {
  checkWidth(inputs.length + 1);
  for (const x of inputs) if (!isFieldElement(x)) fail('INVALID_PARAMETER', 'Poseidon input is not a field element');
  return poseidonKernel(inputs.length + 1).hash(inputs);
}

/** circomlib `Poseidon(inputs.length)` in BigInt (reference). */
export function poseidonReference(inputs: readonly bigint[]): bigint {
  checkWidth(inputs.length + 1);
  for (const x of inputs) if (!isFieldElement(x)) fail('INVALID_PARAMETER', 'Poseidon input is not a field element');
  return poseidonPermuteReference([0n, ...inputs])[0]!;
}

const kernel3 = poseidonKernel(3);

/** Poseidon(2) for tree nodes, skipping the generic checks (callers pass tree values, always canonical). */
export function poseidon2(left: bigint, right: bigint): bigint {
  return kernel3.hash([left, right]);
}

/**
 * circomlib `Poseidon(n)` of each input (all of the same length n), results in order. Pairs of inputs run through
 * the two-lane SIMD kernel (`wasm/poseidon-kernel-x2.ts`, n ≤ 5), an odd last one and wider inputs through the
 * scalar kernel. Every input is checked before anything is hashed, with the same errors as `poseidon`.
 */
export function poseidonMany(inputs: readonly (readonly bigint[])[]): bigint[] {
  if (inputs.length === 0) return [];
  const n = inputs[0]!.length;
  checkWidth(n + 1);
  for (const [k, input] of inputs.entries()) {
    if (input.length !== n)
      fail('INVALID_PARAMETER', `Poseidon batch inputs must all have ${n} elements`, `input ${k} has ${input.length}`);
    for (const x of input) if (!isFieldElement(x)) fail('INVALID_PARAMETER', 'Poseidon input is not a field element');
  }
  const out = new Array<bigint>(inputs.length);
  let i = 0;
  if (n + 1 <= MAX_X2_WIDTH) {
    const x2 = poseidonKernelX2(n + 1);
    for (; i + 1 < inputs.length; i += 2) {
      const [a, b] = x2.hashPair(inputs[i]!, inputs[i + 1]!);
      out[i] = a;
      out[i + 1] = b;
    }
  }
  const scalar = poseidonKernel(n + 1);
  for (; i < inputs.length; i++) out[i] = scalar.hash(inputs[i]!);
  return out;
}
