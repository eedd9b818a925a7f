// Groth16 over BN254 with plain types: proofs and verification keys as bigints, a fixed 256-byte proof encoding, and a
// verifier that needs only the verification key (no snarkjs, no worker threads), so anything can embed it.
import { bn254 } from '@noble/curves/bn254.js';
import { ProofFormatError } from './errors.ts';

export type G1Point = readonly [x: bigint, y: bigint];
/** Coordinates in Fp2 as [c0, c1] pairs (snarkjs's order). */
export type G2Point = readonly [x: readonly [bigint, bigint], y: readonly [bigint, bigint]];

export interface Groth16Proof {
  a: G1Point;
  b: G2Point;
  c: G1Point;
}

export interface VerificationKey {
  alpha: G1Point;
  beta: G2Point;
  gamma: G2Point;
  delta: G2Point;
  /** One point per public input, plus the constant term first. */
  ic: readonly G1Point[];
}

export const FIELD_MODULUS = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47n;
export const SCALAR_MODULUS = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001n;
export const PROOF_BYTES = 256;

// ---- snarkjs JSON (decimal strings, projective with z = 1) --------------------------------------------------------

export interface SnarkjsProofJson {
  pi_a: string[];
  pi_b: string[][];
  pi_c: string[];
  protocol: string;
  curve: string;
}

export interface SnarkjsVerificationKeyJson {
  protocol: string;
  curve: string;
  nPublic: number;
  vk_alpha_1: string[];
  vk_beta_2: string[][];
  vk_gamma_2: string[][];
  vk_delta_2: string[][];
  IC: string[][];
  [extra: string]: unknown;
}

function decimal(value: unknown, what: string): bigint {
  if (typeof value !== 'string' || !/^\d+$/.test(value)) throw new ProofFormatError(`Bad ${what}: not a decimal`);
  const n = BigInt(value);
  if (n >= FIELD_MODULUS) throw new ProofFormatError(`Bad ${what}: not below the field modulus`);
  return n;
}

function g1FromJson(value: unknown, what: string): G1Point {
  if (!Array.isArray(value) || value.length < 2) throw new ProofFormatError(`Bad ${what}: expected [x, y, 1]`);
  if (value.length === 3 && value[2] !== '1') throw new ProofFormatError(`Bad ${what}: not affine`);
  return [decimal(value[0], what), decimal(value[1], what)];
}

function g2FromJson(value: unknown, what: string): G2Point {
  if (!Array.isArray(value) || value.length < 2) throw new ProofFormatError(`Bad ${what}: expected [[x0,x1],[y0,y1]]`);
  const pair = (v: unknown): readonly [bigint, bigint] => {
    if (!Array.isArray(v) || v.length !== 2) throw new ProofFormatError(`Bad ${what}: expected an Fp2 pair`);
    return [decimal(v[0], what), decimal(v[1], what)];
  };
  return [pair(value[0]), pair(value[1])];
}

const g1ToJson = (p: G1Point): string[] => [p[0].toString(), p[1].toString(), '1'];
const g2ToJson = (p: G2Point): string[][] => [
  [p[0][0].toString(), p[0][1].toString()],
  [p[1][0].toString(), p[1][1].toString()],
  ['1', '0'],
];

export function proofFromSnarkjs(json: SnarkjsProofJson): Groth16Proof {
  return { a: g1FromJson(json.pi_a, 'pi_a'), b: g2FromJson(json.pi_b, 'pi_b'), c: g1FromJson(json.pi_c, 'pi_c') };
}

export function proofToSnarkjs(proof: Groth16Proof): SnarkjsProofJson {
  return {
    pi_a: g1ToJson(proof.a),
    pi_b: g2ToJson(proof.b),
    pi_c: g1ToJson(proof.c),
    protocol: 'groth16',
    curve: 'bn128',
  };
}

export function verificationKeyFromSnarkjs(json: SnarkjsVerificationKeyJson): VerificationKey {
  if (json.protocol !== 'groth16' || json.curve !== 'bn128') {
    throw new ProofFormatError('Not a Groth16 BN254 verification key', { details: `${json.protocol}/${json.curve}` });
  }
  if (!Array.isArray(json.IC)) throw new ProofFormatError('Verification key without IC points');
  return {
    alpha: g1FromJson(json.vk_alpha_1, 'vk_alpha_1'),
    beta: g2FromJson(json.vk_beta_2, 'vk_beta_2'),
    gamma: g2FromJson(json.vk_gamma_2, 'vk_gamma_2'),
    delta: g2FromJson(json.vk_delta_2, 'vk_delta_2'),
    ic: json.IC.map((p, i) => g1FromJson(p, `IC[${i}]`)),
  };
}

export function verificationKeyToSnarkjs(vk: VerificationKey): SnarkjsVerificationKeyJson {
  return {
    protocol: 'groth16',
    curve: 'bn128',
    nPublic: vk.ic.length - 1,
    vk_alpha_1: g1ToJson(vk.alpha),
    vk_beta_2: g2ToJson(vk.beta),
    vk_gamma_2: g2ToJson(vk.gamma),
    vk_delta_2: g2ToJson(vk.delta),
    IC: vk.ic.map(g1ToJson),
  };
}

// ---- bytes: 8 big-endian 32-byte words, G2 as (x.c1, x.c0, y.c1, y.c0) like the EIP-197 precompile --------------

function putWord(out: Uint8Array, offset: number, value: bigint): void {
  let v = value;
  for (let i = 31; i >= 0; i--) {
    out[offset + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

function getWord(bytes: Uint8Array, offset: number): bigint {
  let v = 0n;
  for (let i = 0; i < 32; i++) v = (v << 8n) | BigInt(bytes[offset + i]!);
  if (v >= FIELD_MODULUS) throw new ProofFormatError(`Proof word at byte ${offset} is not below the field modulus`);
  return v;
}

export function encodeProof(proof: Groth16Proof): Uint8Array {
  const out = new Uint8Array(PROOF_BYTES);
  const words = [
    proof.a[0],
    proof.a[1],
    proof.b[0][1],
    proof.b[0][0],
    proof.b[1][1],
    proof.b[1][0],
    proof.c[0],
    proof.c[1],
  ];
  words.forEach((w, i) => putWord(out, 32 * i, w));
  return out;
}

export function decodeProof(bytes: Uint8Array): Groth16Proof {
  if (!(bytes instanceof Uint8Array) || bytes.length !== PROOF_BYTES) {
    throw new ProofFormatError(`A proof is ${PROOF_BYTES} bytes`, { details: `got ${bytes?.length ?? 'none'}` });
  }
  const w = (i: number): bigint => getWord(bytes, 32 * i);
  return {
    a: [w(0), w(1)],
    b: [
      [w(3), w(2)],
      [w(5), w(4)],
    ],
    c: [w(6), w(7)],
  };
}

// ---- verification ---------------------------------------------------------------------------------------------

const Fp2 = bn254.fields.Fp2;
const Fp12 = bn254.fields.Fp12;

function g1(p: G1Point) {
  const point = bn254.G1.Point.fromAffine({ x: p[0], y: p[1] });
  point.assertValidity();
  return point;
}

function g2(p: G2Point) {
  const point = bn254.G2.Point.fromAffine({
    x: Fp2.fromBigTuple([p[0][0], p[0][1]]),
    y: Fp2.fromBigTuple([p[1][0], p[1][1]]),
  });
  // On the twist and in the prime-order subgroup: a point outside it would break the pairing argument.
  point.assertValidity();
  return point;
}

/**
 * Checks a Groth16 proof of a batch against its single public input. Depends only on the verification key; returns
 * false (never throws) for anything malformed: wrong sizes, coordinates off the curve or outside the subgroup, a
 * public input outside the scalar field.
 */
export function verifyBatchProof(vk: VerificationKey, publicInput: bigint, proof: Groth16Proof | Uint8Array): boolean {
  try {
    if (typeof publicInput !== 'bigint' || publicInput < 0n || publicInput >= SCALAR_MODULUS) return false;
    if (vk.ic.length !== 2) return false;
    const p = proof instanceof Uint8Array ? decodeProof(proof) : proof;
    let vkX = g1(vk.ic[0]!);
    if (publicInput !== 0n) vkX = vkX.add(g1(vk.ic[1]!).multiply(publicInput));
    const A = g1(p.a);
    const C = g1(p.c);
    if (A.is0() || C.is0() || vkX.is0()) return false;
    // e(A, B) = e(alpha, beta) e(vk_x, gamma) e(C, delta), as one product with A negated.
    const product = bn254.pairingBatch([
      { g1: A.negate(), g2: g2(p.b) },
      { g1: g1(vk.alpha), g2: g2(vk.beta) },
      { g1: vkX, g2: g2(vk.gamma) },
      { g1: C, g2: g2(vk.delta) },
    ]);
    return Fp12.eql(product, Fp12.ONE);
  } catch {
    return false;
  }
}
