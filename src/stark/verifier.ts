/**
 * The STARK verifier. It replays the transcript, checks the composition identity at the
 * out-of-domain point, the proof of work, every Merkle opening, every FRI fold, and that the final
 * FRI layer has low degree. Any failure throws a StarkError; success reports the conjectured
 * security the proof's parameters give.
 */
import { type Air, type BoundaryConstraint, extAlgebra, totalConstraints } from './air.ts';
import { StarkError } from './errors.ts';
import type { Ext } from './ext.ts';
import * as extModule from './ext.ts';
// Local bindings: the loader compiles imported bindings to getters, which cost a call per use in hot loops.
const { extAdd, extAt, extEq, extFromBase, extInv, extMul, extPow, extScale, extSub } = extModule;
import * as fieldModule from './field.ts';
// Local bindings: the loader compiles imported bindings to getters, which cost a call per use in hot loops.
const { GENERATOR, inv, mul, pow, rootOfUnity } = fieldModule;
import { sha256 } from './hash.ts';
import { verifyMerklePath } from './merkle.ts';
import * as nttModule from './ntt.ts';
// Local bindings: the loader compiles imported bindings to getters, which cost a call per use in hot loops.
const { intt } = nttModule;
import { DEFAULT_SECURITY_BITS, conjecturedSecurity, minBlowupLog } from './params.ts';
import { type StarkProof, parseProof, proofShape } from './proof.ts';
import { bytesOf, checkAirShape, extPowers, numSegments, startTranscript } from './protocol.ts';
import { leadingZeroBits, nonceBytes, powDigest } from './transcript.ts';

export interface VerifyOptions {
  /** Reject proofs whose parameters give less conjectured security than this (default 100). */
  readonly minSecurityBits?: number;
}

export interface VerifyResult {
  readonly securityBits: number;
  readonly params: StarkProof['params'];
}

function fail(message: string, details?: string): never {
  throw new StarkError('VERIFICATION_FAILED', message, details ? { details } : {});
}

/** Evaluates the polynomial interpolating `values` over the subgroup of size m at an extension point. */
function evaluatePeriodic(values: Uint32Array, point: Ext): Ext {
  const coeffs = intt(Uint32Array.from(values));
  let acc: Ext = [0, 0, 0, 0];
  for (let i = coeffs.length - 1; i >= 0; i--) acc = extAdd(extMul(acc, point), extFromBase(coeffs[i]!));
  return acc;
}

function words(x: Uint32Array, i: number): Ext {
  return extAt(x, i);
}

export function verify(air: Air, proofBytes: Uint8Array, options: VerifyOptions = {}): VerifyResult {
  const proof = parseProof(proofBytes);
  return verifyStructured(air, proof, options);
}

export function verifyStructured(air: Air, proof: StarkProof, options: VerifyOptions = {}): VerifyResult {
  checkAirShape(air);
  const n = air.traceLength;
  const width = air.traceWidth;
  const logN = Math.log2(n);
  const params = proof.params;
  if (proof.traceLengthLog !== logN || proof.traceWidth !== width) {
    throw new StarkError('PARAMETER_MISMATCH', 'proof is for a different trace shape', {
      details: `proof 2^${proof.traceLengthLog}×${proof.traceWidth}, AIR ${n}×${width}`,
    });
  }
  const s = numSegments(air);
  if (proof.numSegments !== s) throw new StarkError('PARAMETER_MISMATCH', 'wrong number of composition segments');
  if (params.blowupLog < minBlowupLog(air.degree)) {
    throw new StarkError('PARAMETER_MISMATCH', `blowup 2^${params.blowupLog} too small for degree ${air.degree}`);
  }
  const securityBits = conjecturedSecurity(params, n);
  const minBits = options.minSecurityBits ?? DEFAULT_SECURITY_BITS;
  if (securityBits < minBits) {
    throw new StarkError('INSUFFICIENT_SECURITY', `proof gives ${securityBits} bits, ${minBits} required`);
  }

  const shape = proofShape(logN, params.blowupLog);
  const N = 1 << shape.ldeLog;
  const half = N / 2;
  const shift = GENERATOR;
  const transcript = startTranscript(air, params);

  transcript.absorb(proof.traceRoot);
  const total = totalConstraints(air);
  const boundary = air.boundaryConstraints();
  const alpha = transcript.challengeExt();
  transcript.absorb(proof.compositionRoot);
  const z = transcript.challengeExt();
  const g = rootOfUnity(logN);
  const gz = extScale(z, g);
  transcript.absorbWords(proof.oodTrace);
  transcript.absorbWords(proof.oodTraceNext);
  transcript.absorbWords(proof.oodSegments);

  // Composition identity at z: Σ_j z^(jn)·H_j(z) = Q(z) computed from the opened trace values.
  checkOod(air, proof, z, alpha, total, boundary);

  const gamma = transcript.challengeExt();
  const delta = transcript.challengeExt();
  const gammaPow = extPowers(gamma, width + s);
  const betas: Ext[] = [];
  for (let k = 0; k < shape.folds; k++) {
    betas.push(transcript.challengeExt());
    if (k + 1 < shape.folds) transcript.absorb(proof.friRoots[k]!);
  }
  transcript.absorbWords(proof.finalLayer);
  checkFinalLayer(proof.finalLayer, shape.finalLayerLog, logN - shape.folds);

  if (leadingZeroBits(powDigest(transcript.seed(), proof.powNonce)) < params.grindingBits) {
    fail('proof of work is insufficient');
  }
  transcript.absorb(nonceBytes(proof.powNonce));

  // DEEP constants.
  let A: Ext = [0, 0, 0, 0];
  let B: Ext = [0, 0, 0, 0];
  for (let c = 0; c < width; c++) {
    const gc = words(gammaPow, c);
    A = extAdd(A, extMul(gc, words(proof.oodTrace, c)));
    B = extAdd(B, extMul(gc, words(proof.oodTraceNext, c)));
  }
  let Cz: Ext = [0, 0, 0, 0];
  for (let j = 0; j < s; j++) Cz = extAdd(Cz, extMul(words(gammaPow, width + j), words(proof.oodSegments, j)));
  const AC = extAdd(A, Cz);

  const omegaN = rootOfUnity(shape.ldeLog);
  const inv2 = inv(2);
  const traceDepth = shape.ldeLog - 1;
  for (let t = 0; t < params.numQueries; t++) {
    const pos = transcript.challengeBits(shape.ldeLog - 1);
    const opening = proof.queries[t]!;
    const traceLeaf = new Uint32Array(2 * width);
    traceLeaf.set(opening.traceLo, 0);
    traceLeaf.set(opening.traceHi, width);
    if (!verifyMerklePath(proof.traceRoot, traceDepth, pos, sha256(bytesOf(traceLeaf)), opening.tracePath)) {
      fail(`trace opening ${t} does not match the trace commitment`);
    }
    const compLeaf = new Uint32Array(8 * s);
    compLeaf.set(opening.compLo, 0);
    compLeaf.set(opening.compHi, 4 * s);
    if (!verifyMerklePath(proof.compositionRoot, traceDepth, pos, sha256(bytesOf(compLeaf)), opening.compPath)) {
      fail(`composition opening ${t} does not match its commitment`);
    }
    const xLo = mul(shift, pow(omegaN, pos));
    const xHi = mul(shift, pow(omegaN, pos + half));
    let lo = deepAt(xLo, opening.traceLo, opening.compLo, gammaPow, width, s, z, gz, delta, AC, B);
    let hi = deepAt(xHi, opening.traceHi, opening.compHi, gammaPow, width, s, z, gz, delta, AC, B);

    let p = pos;
    let size = N;
    let layerShift = shift;
    if (shape.folds === 0) {
      if (!extEq(lo, extAt(proof.finalLayer, pos)) || !extEq(hi, extAt(proof.finalLayer, pos + half))) {
        fail(`query ${t} disagrees with the final layer`);
      }
      continue;
    }
    for (let k = 0; k < shape.folds; k++) {
      const h = size / 2;
      const leaf = p % h;
      const x = mul(layerShift, pow(rootOfUnity(Math.log2(size)), leaf));
      const even = extScale(extAdd(lo, hi), inv2);
      const odd = extScale(extSub(lo, hi), mul(inv2, inv(x)));
      const folded = extAdd(even, extMul(betas[k]!, odd));
      size = h;
      layerShift = mul(layerShift, layerShift);
      p = leaf;
      if (k + 1 < shape.folds) {
        const layer = opening.fri[k]!;
        const nextHalf = size / 2;
        const nextLeaf = p % nextHalf;
        if (
          !verifyMerklePath(proof.friRoots[k]!, Math.log2(nextHalf), nextLeaf, sha256(bytesOf(layer.pair)), layer.path)
        ) {
          fail(`FRI layer ${k + 1} opening ${t} does not match its commitment`);
        }
        const a = extAt(layer.pair, 0);
        const b = extAt(layer.pair, 1);
        if (!extEq(folded, p < nextHalf ? a : b)) fail(`FRI fold ${k} is inconsistent at query ${t}`);
        lo = a;
        hi = b;
      } else if (!extEq(folded, extAt(proof.finalLayer, p))) {
        fail(`query ${t} disagrees with the final FRI layer`);
      }
    }
  }
  return { securityBits, params };
}

function deepAt(
  x: number,
  row: Uint32Array,
  comp: Uint32Array,
  gammaPow: Uint32Array,
  width: number,
  s: number,
  z: Ext,
  gz: Ext,
  delta: Ext,
  AC: Ext,
  B: Ext,
): Ext {
  let S: Ext = [0, 0, 0, 0];
  for (let c = 0; c < width; c++) S = extAdd(S, extScale(words(gammaPow, c), row[c]!));
  let C: Ext = [0, 0, 0, 0];
  for (let j = 0; j < s; j++) C = extAdd(C, extMul(words(gammaPow, width + j), words(comp, j)));
  const xe = extFromBase(x);
  const first = extMul(extSub(extAdd(S, C), AC), extInv(extSub(xe, z)));
  const second = extMul(extSub(S, B), extInv(extSub(xe, gz)));
  return extAdd(first, extMul(delta, second));
}

function checkOod(
  air: Air,
  proof: StarkProof,
  z: Ext,
  alpha: Ext,
  total: number,
  boundary: readonly BoundaryConstraint[],
): void {
  const n = air.traceLength;
  const width = air.traceWidth;
  const cur: Ext[] = [];
  const next: Ext[] = [];
  for (let c = 0; c < width; c++) {
    cur.push(words(proof.oodTrace, c));
    next.push(words(proof.oodTraceNext, c));
  }
  const periodic = air
    .periodicColumns()
    .map((values) => evaluatePeriodic(values, extPow(z, BigInt(n / values.length))));
  const out: Ext[] = new Array<Ext>(total).fill([0, 0, 0, 0]);
  air.evaluate(extAlgebra, cur, next, periodic, out);
  const zn = extPow(z, BigInt(n));
  const vanish = extSub(zn, [1, 0, 0, 0]);
  if (extEq(vanish, [0, 0, 0, 0])) fail('out-of-domain point lies in the trace domain');
  const vanishInv = extInv(vanish);
  const lastRow = pow(rootOfUnity(Math.log2(n)), n - 1);
  const transInv = extMul(extSub(z, extFromBase(lastRow)), vanishInv);
  let rowAcc: Ext = [0, 0, 0, 0];
  let transAcc: Ext = [0, 0, 0, 0];
  let a: Ext = [1, 0, 0, 0];
  for (let c = 0; c < total; c++) {
    const term = extMul(a, out[c]!);
    if (c < air.numRowConstraints) rowAcc = extAdd(rowAcc, term);
    else transAcc = extAdd(transAcc, term);
    a = extMul(a, alpha);
  }
  let q = extAdd(extMul(rowAcc, vanishInv), extMul(transAcc, transInv));
  const omegaTrace = rootOfUnity(Math.log2(n));
  for (const b of boundary) {
    const num = extSub(cur[b.column]!, extFromBase(b.value));
    const den = extSub(z, extFromBase(pow(omegaTrace, b.row)));
    q = extAdd(q, extMul(a, extMul(num, extInv(den))));
    a = extMul(a, alpha);
  }
  let h: Ext = [0, 0, 0, 0];
  let zjn: Ext = [1, 0, 0, 0];
  for (let j = 0; j < proof.numSegments; j++) {
    h = extAdd(h, extMul(zjn, words(proof.oodSegments, j)));
    zjn = extMul(zjn, zn);
  }
  if (!extEq(h, q)) fail('constraints do not hold at the out-of-domain point');
}

/** The final layer must be the evaluation of a polynomial of degree < 2^degreeLog on its coset. */
function checkFinalLayer(layer: Uint32Array, sizeLog: number, degreeLog: number): void {
  const size = 1 << sizeLog;
  for (let comp = 0; comp < 4; comp++) {
    const values = new Uint32Array(size);
    for (let i = 0; i < size; i++) values[i] = layer[4 * i + comp]!;
    const coeffs = intt(values);
    // These are the coefficients of p(shift·X), c_i·shift^i: zero exactly where p's are, so no unshifting.
    for (let i = 1 << Math.max(0, degreeLog); i < size; i++) {
      if (coeffs[i] !== 0) fail('final FRI layer is not of low degree');
    }
  }
}
