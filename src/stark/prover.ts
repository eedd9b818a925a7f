/**
 * The STARK prover: commit to the trace's low-degree extension, build the constraint composition
 * polynomial, open everything at an out-of-domain point (DEEP-ALI), prove the DEEP quotient has low
 * degree with FRI, grind, and answer the queries.
 */
import { type Air, type Trace, baseAlgebra, totalConstraints } from './air.ts';
import { StarkError } from './errors.ts';
import type { Ext } from './ext.ts';
import * as extModule from './ext.ts';
// Local bindings: the loader compiles imported bindings to getters, which cost a call per use in hot loops.
const { extBatchInverse, extMul, extMulAt } = extModule;
import * as fieldModule from './field.ts';
// Local bindings: the loader compiles imported bindings to getters, which cost a call per use in hot loops.
const { GENERATOR, P, batchInverse, inv, mul, pow, reduce, rootOfUnity, sub } = fieldModule;
import { sha256 } from './hash.ts';
import { MerkleTree } from './merkle.ts';
import * as nttModule from './ntt.ts';
// Local bindings: the loader compiles imported bindings to getters, which cost a call per use in hot loops.
const { evaluateOnCoset, interpolateCoset, intt } = nttModule;
import { DEFAULT_SECURITY_BITS, type StarkParams, minBlowupLog, paramsForSecurity } from './params.ts';
import {
  type FriQueryLayer,
  type QueryOpening,
  PROOF_VERSION,
  type StarkProof,
  proofShape,
  serializeProof,
} from './proof.ts';
import { lowDegreeExtendMany, sharedWords } from './parallel.ts';
import { bytesOf, checkAirShape, extPowers, numSegments, startTranscript } from './protocol.ts';
import { grind, nonceBytes } from './transcript.ts';

export interface ProveOptions {
  /** Target conjectured security in bits (default 100); ignored when `params` is given. */
  readonly securityBits?: number;
  readonly params?: StarkParams;
  /** Called after each phase with its wall time, for profiling. */
  readonly onPhase?: (phase: string, ms: number) => void;
  /**
   * Testing only: skip the prover's own trace check, to show that the verifier (not just an honest
   * prover) rejects proofs of invalid traces.
   */
  readonly unsafeSkipTraceCheck?: boolean;
}

export function prove(air: Air, trace: Trace, options: ProveOptions = {}): Uint8Array {
  return serializeProof(proveStructured(air, trace, options));
}

/** Finds the first violated constraint, or null. */
export function findTraceViolation(air: Air, trace: Trace): string | null {
  const n = air.traceLength;
  const width = air.traceWidth;
  const total = totalConstraints(air);
  const periodic = air.periodicColumns();
  const cur = new Uint32Array(width);
  const next = new Uint32Array(width);
  const per = new Uint32Array(periodic.length);
  const out = new Uint32Array(total);
  const curArr: number[] = new Array<number>(width);
  const nextArr: number[] = new Array<number>(width);
  const perArr: number[] = new Array<number>(periodic.length);
  const outArr: number[] = new Array<number>(total).fill(0);
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    for (let c = 0; c < width; c++) {
      cur[c] = curArr[c] = trace.columns[c]![i]!;
      next[c] = nextArr[c] = trace.columns[c]![j]!;
    }
    for (let k = 0; k < periodic.length; k++) per[k] = perArr[k] = periodic[k]![i % periodic[k]!.length]!;
    if (air.evaluateBase) {
      air.evaluateBase(cur, next, per, out);
    } else {
      air.evaluate(baseAlgebra, curArr, nextArr, perArr, outArr);
      for (let c = 0; c < total; c++) out[c] = outArr[c]!;
    }
    const limit = i === n - 1 ? air.numRowConstraints : total;
    for (let c = 0; c < limit; c++) {
      if (out[c] !== 0) {
        const kind = c < air.numRowConstraints ? 'row' : 'transition';
        return `${kind} constraint ${c} fails at row ${i}`;
      }
    }
  }
  for (const b of air.boundaryConstraints()) {
    if (trace.columns[b.column]![b.row] !== b.value) {
      return `boundary constraint on column ${b.column} at row ${b.row} fails`;
    }
  }
  return null;
}

/** Splits interleaved extension coefficients into 16-bit halves for exact lazy dot products. */
function splitHalves(words: Uint32Array): { hi: Float64Array; lo: Float64Array } {
  const hi = new Float64Array(words.length);
  const lo = new Float64Array(words.length);
  for (let i = 0; i < words.length; i++) {
    hi[i] = words[i]! >>> 16;
    lo[i] = words[i]! & 0xffff;
  }
  return { hi, lo };
}

/**
 * res[0..4) = Σ_{c∈[from,to)} values[c]·coef[c] (extension coefficients, split into halves).
 * Partial sums stay below 2^53 by reducing every 64 terms.
 */
function combine(
  values: ArrayLike<number>,
  from: number,
  to: number,
  hi: Float64Array,
  lo: Float64Array,
  coefOffset: number,
  res: Float64Array,
): void {
  let r0 = 0,
    r1 = 0,
    r2 = 0,
    r3 = 0;
  for (let start = from; start < to; start += 64) {
    const end = Math.min(to, start + 64);
    let h0 = 0,
      h1 = 0,
      h2 = 0,
      h3 = 0,
      l0 = 0,
      l1 = 0,
      l2 = 0,
      l3 = 0;
    for (let c = start; c < end; c++) {
      const v = values[c]!;
      const k = 4 * (c + coefOffset);
      h0 += v * hi[k]!;
      h1 += v * hi[k + 1]!;
      h2 += v * hi[k + 2]!;
      h3 += v * hi[k + 3]!;
      l0 += v * lo[k]!;
      l1 += v * lo[k + 1]!;
      l2 += v * lo[k + 2]!;
      l3 += v * lo[k + 3]!;
    }
    r0 += reduce(reduce(h0) * 65536 + l0);
    r1 += reduce(reduce(h1) * 65536 + l1);
    r2 += reduce(reduce(h2) * 65536 + l2);
    r3 += reduce(reduce(h3) * 65536 + l3);
  }
  res[0] = reduce(r0);
  res[1] = reduce(r1);
  res[2] = reduce(r2);
  res[3] = reduce(r3);
}

/** Evaluates base polynomials (coefficient arrays) at an extension point via its precomputed powers. */
function evaluateAtExt(coeffs: Uint32Array, zPowHi: Float64Array, zPowLo: Float64Array, res: Float64Array): Ext {
  combine(coeffs, 0, coeffs.length, zPowHi, zPowLo, 0, res);
  return [res[0]!, res[1]!, res[2]!, res[3]!];
}

export function proveStructured(air: Air, trace: Trace, options: ProveOptions = {}): StarkProof {
  checkAirShape(air);
  const n = air.traceLength;
  const width = air.traceWidth;
  if (trace.length !== n || trace.width !== width || trace.columns.length !== width) {
    throw new StarkError('INVALID_ARGUMENT', `trace is ${trace.width}×${trace.length}, the AIR wants ${width}×${n}`);
  }
  for (const col of trace.columns) {
    if (col.length !== n) throw new StarkError('INVALID_ARGUMENT', 'trace column of the wrong length');
  }
  const params = options.params ?? paramsForSecurity(options.securityBits ?? DEFAULT_SECURITY_BITS, air.degree, n);
  if (params.blowupLog < minBlowupLog(air.degree)) {
    throw new StarkError('INVALID_ARGUMENT', `blowup 2^${params.blowupLog} too small for degree ${air.degree}`);
  }
  const inRange = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;
  if (!inRange(params.blowupLog, 1, 6) || !inRange(params.numQueries, 1, 255) || !inRange(params.grindingBits, 0, 40)) {
    throw new StarkError('INVALID_ARGUMENT', 'parameters outside the proof format', {
      details: JSON.stringify(params),
    });
  }
  const phase = (() => {
    let last = performance.now();
    return (name: string) => {
      const now = performance.now();
      options.onPhase?.(name, now - last);
      last = now;
    };
  })();

  if (!options.unsafeSkipTraceCheck) {
    for (const col of trace.columns) {
      for (let i = 0; i < n; i++) {
        if (col[i]! >= P) throw new StarkError('INVALID_TRACE', 'trace holds a non-canonical field element');
      }
    }
    const violation = findTraceViolation(air, trace);
    if (violation) throw new StarkError('INVALID_TRACE', 'the trace does not satisfy the AIR', { details: violation });
    phase('check trace');
  }

  const logN = Math.log2(n);
  const blowup = 1 << params.blowupLog;
  const N = n * blowup;
  const half = N / 2;
  const shape = proofShape(logN, params.blowupLog);
  const shift = GENERATOR;
  const transcript = startTranscript(air, params);

  // 1. Trace LDE and commitment. A leaf holds rows j and j+N/2, the pair FRI folds together.
  const traceCoeffs: Uint32Array[] = [];
  const traceLde: Uint32Array[] = [];
  for (let c = 0; c < width; c++) {
    const coeffs = sharedWords(n);
    coeffs.set(trace.columns[c]!);
    traceCoeffs.push(coeffs);
    traceLde.push(sharedWords(N));
  }
  lowDegreeExtendMany(
    traceCoeffs.map((input, c) => ({ input, output: traceLde[c]! })),
    true,
    N,
    shift,
  );
  phase('trace LDE');
  const traceTree = commitRows(traceLde, half, width);
  transcript.absorb(traceTree.root());
  phase('trace commit');

  // 2. Composition polynomial Q on the LDE coset.
  const numRow = air.numRowConstraints;
  const total = totalConstraints(air);
  const boundary = air.boundaryConstraints();
  const alpha = transcript.challengeExt();
  const coefs = splitHalves(extPowers(alpha, total + boundary.length));
  const q = computeComposition(air, traceLde, N, blowup, shift, coefs, numRow, total);
  phase('composition eval');

  // 3. Split Q into segments of degree < n and commit to their LDE.
  const s = numSegments(air);
  const segLde: Uint32Array[] = []; // index 4·j + component
  const segCoeffs: Uint32Array[] = [];
  for (let comp = 0; comp < 4; comp++) {
    const coeffs = interpolateCoset(q[comp]!, shift);
    if (!options.unsafeSkipTraceCheck) {
      for (let i = s * n; i < N; i++) {
        if (coeffs[i] !== 0) {
          throw new StarkError(
            'INVALID_ARGUMENT',
            `AIR "${air.name}" has constraints of degree above its declared ${air.degree}`,
          );
        }
      }
    }
    for (let j = 0; j < s; j++) {
      const seg = sharedWords(n);
      seg.set(coeffs.subarray(j * n, (j + 1) * n));
      segCoeffs[4 * j + comp] = seg;
    }
  }
  for (let k = 0; k < 4 * s; k++) segLde[k] = sharedWords(N);
  lowDegreeExtendMany(
    segCoeffs.map((input, k) => ({ input, output: segLde[k]! })),
    false,
    N,
    shift,
  );
  const compTree = commitRows(segLde, half, 4 * s);
  transcript.absorb(compTree.root());
  phase('composition commit');

  // 4. Out-of-domain openings at z and g·z.
  const z = transcript.challengeExt();
  const g = rootOfUnity(logN);
  const gz: Ext = [mul(z[0], g), mul(z[1], g), mul(z[2], g), mul(z[3], g)];
  const res = new Float64Array(4);
  const zPow = splitHalves(extPowers(z, n));
  const gzPow = splitHalves(extPowers(gz, n));
  const oodTrace = new Uint32Array(4 * width);
  const oodTraceNext = new Uint32Array(4 * width);
  for (let c = 0; c < width; c++) {
    oodTrace.set(evaluateAtExt(traceCoeffs[c]!, zPow.hi, zPow.lo, res), 4 * c);
    oodTraceNext.set(evaluateAtExt(traceCoeffs[c]!, gzPow.hi, gzPow.lo, res), 4 * c);
  }
  const oodSegments = new Uint32Array(4 * s);
  for (let j = 0; j < s; j++) {
    // H_j = Σ_comp X^comp · h_{j,comp}: multiply each base polynomial's value by the basis element.
    let acc: Ext = [0, 0, 0, 0];
    for (let comp = 0; comp < 4; comp++) {
      const v = evaluateAtExt(segCoeffs[4 * j + comp]!, zPow.hi, zPow.lo, res);
      const basis: [number, number, number, number] = [0, 0, 0, 0];
      basis[comp] = 1;
      const term = extMul(v, basis);
      acc = [(acc[0] + term[0]) % P, (acc[1] + term[1]) % P, (acc[2] + term[2]) % P, (acc[3] + term[3]) % P];
    }
    oodSegments.set(acc, 4 * j);
  }
  transcript.absorbWords(oodTrace);
  transcript.absorbWords(oodTraceNext);
  transcript.absorbWords(oodSegments);
  phase('OOD');

  // 5. DEEP quotient: (S(x) + C(x) − S(z) − C(z))/(x − z) + δ·(S(x) − S(gz))/(x − gz),
  // with S = Σ γ^c·T_c and C = Σ γ^(w+j)·H_j.
  const gamma = transcript.challengeExt();
  const delta = transcript.challengeExt();
  const gammaPow = extPowers(gamma, width + s);
  const deep = computeDeep(
    traceLde,
    segLde,
    N,
    shift,
    gammaPow,
    width,
    s,
    z,
    gz,
    delta,
    oodTrace,
    oodTraceNext,
    oodSegments,
  );
  phase('DEEP');

  // 6. FRI commit phase.
  let layer = deep;
  let layerShift = shift;
  let layerSize = N;
  const friTrees: MerkleTree[] = [];
  const friLayers: Uint32Array[] = [];
  for (let k = 0; k < shape.folds; k++) {
    const beta = transcript.challengeExt();
    layer = foldLayer(layer, layerSize, layerShift, beta);
    layerSize /= 2;
    layerShift = mul(layerShift, layerShift);
    if (k + 1 < shape.folds) {
      const tree = commitFriLayer(layer, layerSize);
      friTrees.push(tree);
      friLayers.push(layer);
      transcript.absorb(tree.root());
    }
  }
  const finalLayer = layer;
  transcript.absorbWords(finalLayer);
  phase('FRI');

  // 7. Grinding, then the query positions.
  const powNonce = grind(transcript.seed(), params.grindingBits);
  transcript.absorb(nonceBytes(powNonce));
  phase('grinding');
  const queries: QueryOpening[] = [];
  for (let t = 0; t < params.numQueries; t++) {
    const pos = transcript.challengeBits(shape.ldeLog - 1);
    const traceLo = new Uint32Array(width);
    const traceHi = new Uint32Array(width);
    for (let c = 0; c < width; c++) {
      traceLo[c] = traceLde[c]![pos]!;
      traceHi[c] = traceLde[c]![pos + half]!;
    }
    const compLo = new Uint32Array(4 * s);
    const compHi = new Uint32Array(4 * s);
    for (let k = 0; k < 4 * s; k++) {
      compLo[k] = segLde[k]![pos]!;
      compHi[k] = segLde[k]![pos + half]!;
    }
    const fri: FriQueryLayer[] = [];
    let p = pos;
    for (let k = 0; k < friTrees.length; k++) {
      const size = N >>> (k + 1);
      const leaf = p % (size / 2);
      const l = friLayers[k]!;
      const pair = new Uint32Array(8);
      pair.set(l.subarray(4 * leaf, 4 * leaf + 4), 0);
      pair.set(l.subarray(4 * (leaf + size / 2), 4 * (leaf + size / 2) + 4), 4);
      fri.push({ pair, path: friTrees[k]!.open(leaf) });
      p = leaf;
    }
    queries.push({
      traceLo,
      traceHi,
      tracePath: traceTree.open(pos),
      compLo,
      compHi,
      compPath: compTree.open(pos),
      fri,
    });
  }
  phase('queries');
  return {
    version: PROOF_VERSION,
    params,
    traceLengthLog: logN,
    traceWidth: width,
    numSegments: s,
    traceRoot: traceTree.root(),
    compositionRoot: compTree.root(),
    oodTrace,
    oodTraceNext,
    oodSegments,
    friRoots: friTrees.map((t) => t.root()),
    finalLayer,
    powNonce,
    queries,
  };
}

/** Merkle tree whose leaf j hashes columns' values at rows j and j+half (column order, then the second row). */
function commitRows(columns: Uint32Array[], half: number, width: number): MerkleTree {
  const row = new Uint32Array(2 * width);
  const rowBytes = bytesOf(row);
  const digests = new Uint8Array(half * 32);
  for (let j = 0; j < half; j++) {
    for (let c = 0; c < width; c++) {
      const col = columns[c]!;
      row[c] = col[j]!;
      row[width + c] = col[j + half]!;
    }
    digests.set(sha256(rowBytes), 32 * j);
  }
  return new MerkleTree(digests);
}

/** Merkle tree over a FRI layer: leaf j holds the extension values at j and j + size/2. */
function commitFriLayer(layer: Uint32Array, size: number): MerkleTree {
  const h = size / 2;
  const buf = new Uint32Array(8);
  const bytes = bytesOf(buf);
  const digests = new Uint8Array(h * 32);
  for (let j = 0; j < h; j++) {
    buf.set(layer.subarray(4 * j, 4 * j + 4), 0);
    buf.set(layer.subarray(4 * (j + h), 4 * (j + h) + 4), 4);
    digests.set(sha256(bytes), 32 * j);
  }
  return new MerkleTree(digests);
}

/**
 * One FRI fold: g(x²) = (f(x) + f(−x))/2 + β·(f(x) − f(−x))/(2x) over the coset shift·⟨ω_size⟩,
 * where −x_j = x_{j+size/2}.
 */
export function foldLayer(layer: Uint32Array, size: number, shift: number, beta: Ext): Uint32Array {
  const h = size / 2;
  const out = new Uint32Array(4 * h);
  const inv2 = inv(2);
  const wInv = inv(rootOfUnity(Math.log2(size)));
  let inv2x = mul(inv2, inv(shift)); // 1/(2·x_0), then times ω^-1 per step
  const odd = new Uint32Array(4);
  for (let j = 0; j < h; j++) {
    const a = 4 * j;
    const b = 4 * (j + h);
    for (let k = 0; k < 4; k++) {
      const x = layer[a + k]!;
      const y = layer[b + k]!;
      const s = x + y;
      out[a + k] = mul(s >= P ? s - P : s, inv2);
      odd[k] = mul(sub(x, y), inv2x);
    }
    extMulAt(odd, 0, odd, 0, beta, 0);
    for (let k = 0; k < 4; k++) {
      const s = out[a + k]! + odd[k]!;
      out[a + k] = s >= P ? s - P : s;
    }
    inv2x = mul(inv2x, wInv);
  }
  return out;
}

/** Q(x) on the LDE coset, as four component arrays. */
function computeComposition(
  air: Air,
  traceLde: Uint32Array[],
  N: number,
  blowup: number,
  shift: number,
  coefs: { hi: Float64Array; lo: Float64Array },
  numRow: number,
  total: number,
): Uint32Array[] {
  const n = air.traceLength;
  const width = air.traceWidth;
  const q = [new Uint32Array(N), new Uint32Array(N), new Uint32Array(N), new Uint32Array(N)];

  // Periodic columns: q(x^(n/m)) with q interpolating one period; on the LDE it repeats every m·blowup points.
  const periodic = air.periodicColumns();
  const periodicLde = periodic.map((values) => {
    const m = values.length;
    const coeffs = intt(Uint32Array.from(values));
    return evaluateOnCoset(coeffs, m * blowup, pow(shift, n / m));
  });

  // 1/(x^n − 1) takes `blowup` distinct values on the coset; the transition divisor also removes the last row.
  const xn = new Uint32Array(blowup);
  const shiftN = pow(shift, n);
  const wB = rootOfUnity(Math.log2(blowup));
  for (let i = 0, acc = shiftN; i < blowup; i++, acc = mul(acc, wB)) xn[i] = sub(acc, 1);
  const invVanish = batchInverse(xn);
  const lastRow = pow(rootOfUnity(Math.log2(n)), n - 1);

  // Boundary constraints grouped by row: Σ α_b (T_c(x) − v_b)/(x − ω^row).
  const boundary = air.boundaryConstraints();
  const rows = [...new Set(boundary.map((b) => b.row))];
  const omegaN = rootOfUnity(Math.log2(N));
  const xs = new Uint32Array(N);
  for (let i = 0, x = shift; i < N; i++, x = mul(x, omegaN)) xs[i] = x;
  const alphaWords = new Uint32Array(coefs.hi.length);
  for (let k = 0; k < alphaWords.length; k++) alphaWords[k] = coefs.hi[k]! * 65536 + coefs.lo[k]!;
  const groups = rows.map((row) => {
    const point = pow(rootOfUnity(Math.log2(n)), row);
    const den = new Uint32Array(N);
    for (let i = 0; i < N; i++) den[i] = sub(xs[i]!, point);
    const items = boundary.map((b, idx) => ({ ...b, coef: total + idx })).filter((b) => b.row === row);
    // Σ α_b·(T_c(x) − v_b) = Σ α_b·T_c(x) − K, with K = Σ α_b·v_b computed once.
    const groupCoefs = new Uint32Array(4 * items.length);
    let K: Ext = [0, 0, 0, 0];
    items.forEach((item, k) => {
      const a: Ext = [
        alphaWords[4 * item.coef]!,
        alphaWords[4 * item.coef + 1]!,
        alphaWords[4 * item.coef + 2]!,
        alphaWords[4 * item.coef + 3]!,
      ];
      groupCoefs.set(a, 4 * k);
      K = addExt(K, extMul(a, [item.value, 0, 0, 0]));
    });
    return {
      invDen: batchInverse(den),
      columns: items.map((item) => item.column),
      split: splitHalves(groupCoefs),
      K,
      values: new Uint32Array(items.length),
    };
  });

  const cur = new Uint32Array(width);
  const next = new Uint32Array(width);
  const per = new Uint32Array(periodic.length);
  const out = new Uint32Array(total);
  const curArr: number[] = new Array<number>(width);
  const nextArr: number[] = new Array<number>(width);
  const perArr: number[] = new Array<number>(periodic.length);
  const outArr: number[] = new Array<number>(total).fill(0);
  const rowAcc = new Float64Array(4);
  const transAcc = new Float64Array(4);
  const bAcc = new Float64Array(4);
  const fast = air.evaluateBase?.bind(air);
  for (let i = 0; i < N; i++) {
    const j = (i + blowup) % N;
    for (let c = 0; c < width; c++) {
      cur[c] = traceLde[c]![i]!;
      next[c] = traceLde[c]![j]!;
    }
    for (let k = 0; k < periodic.length; k++) {
      const lde = periodicLde[k]!;
      per[k] = lde[i % lde.length]!;
    }
    if (fast) {
      fast(cur, next, per, out);
    } else {
      for (let c = 0; c < width; c++) {
        curArr[c] = cur[c]!;
        nextArr[c] = next[c]!;
      }
      for (let k = 0; k < periodic.length; k++) perArr[k] = per[k]!;
      air.evaluate(baseAlgebra, curArr, nextArr, perArr, outArr);
      for (let c = 0; c < total; c++) out[c] = outArr[c]!;
    }
    combine(out, 0, numRow, coefs.hi, coefs.lo, 0, rowAcc);
    combine(out, numRow, total, coefs.hi, coefs.lo, 0, transAcc);
    const zInv = invVanish[i % blowup]!;
    const zInvTrans = mul(sub(xs[i]!, lastRow), zInv);
    let v0 = mul(rowAcc[0]!, zInv) + mul(transAcc[0]!, zInvTrans);
    let v1 = mul(rowAcc[1]!, zInv) + mul(transAcc[1]!, zInvTrans);
    let v2 = mul(rowAcc[2]!, zInv) + mul(transAcc[2]!, zInvTrans);
    let v3 = mul(rowAcc[3]!, zInv) + mul(transAcc[3]!, zInvTrans);
    for (const group of groups) {
      const cols = group.columns;
      const vals = group.values;
      for (let k = 0; k < cols.length; k++) vals[k] = cur[cols[k]!]!;
      combine(vals, 0, cols.length, group.split.hi, group.split.lo, 0, bAcc);
      const d = group.invDen[i]!;
      v0 += mul(sub(bAcc[0]!, group.K[0]), d);
      v1 += mul(sub(bAcc[1]!, group.K[1]), d);
      v2 += mul(sub(bAcc[2]!, group.K[2]), d);
      v3 += mul(sub(bAcc[3]!, group.K[3]), d);
    }
    q[0]![i] = reduce(v0);
    q[1]![i] = reduce(v1);
    q[2]![i] = reduce(v2);
    q[3]![i] = reduce(v3);
  }
  return q;
}

function computeDeep(
  traceLde: Uint32Array[],
  segLde: Uint32Array[],
  N: number,
  shift: number,
  gammaPow: Uint32Array,
  width: number,
  s: number,
  z: Ext,
  gz: Ext,
  delta: Ext,
  oodTrace: Uint32Array,
  oodTraceNext: Uint32Array,
  oodSegments: Uint32Array,
): Uint32Array {
  // Constant parts: A = Σγ^c T_c(z), B = Σγ^c T_c(gz), Cz = Σγ^(w+j) H_j(z).
  let A: Ext = [0, 0, 0, 0];
  let B: Ext = [0, 0, 0, 0];
  for (let c = 0; c < width; c++) {
    const gc: Ext = [gammaPow[4 * c]!, gammaPow[4 * c + 1]!, gammaPow[4 * c + 2]!, gammaPow[4 * c + 3]!];
    A = addExt(A, extMul(gc, [oodTrace[4 * c]!, oodTrace[4 * c + 1]!, oodTrace[4 * c + 2]!, oodTrace[4 * c + 3]!]));
    B = addExt(
      B,
      extMul(gc, [oodTraceNext[4 * c]!, oodTraceNext[4 * c + 1]!, oodTraceNext[4 * c + 2]!, oodTraceNext[4 * c + 3]!]),
    );
  }
  let Cz: Ext = [0, 0, 0, 0];
  const segCoef: Ext[] = [];
  for (let j = 0; j < s; j++) {
    const k = 4 * (width + j);
    const gj: Ext = [gammaPow[k]!, gammaPow[k + 1]!, gammaPow[k + 2]!, gammaPow[k + 3]!];
    segCoef.push(gj);
    Cz = addExt(
      Cz,
      extMul(gj, [oodSegments[4 * j]!, oodSegments[4 * j + 1]!, oodSegments[4 * j + 2]!, oodSegments[4 * j + 3]!]),
    );
  }
  const AC = addExt(A, Cz);

  // S(x) over the coset, row by row: one pass over the LDE, partial sums kept in registers.
  const { hi, lo } = splitHalves(gammaPow);
  const S = [new Uint32Array(N), new Uint32Array(N), new Uint32Array(N), new Uint32Array(N)];
  const row = new Uint32Array(width);
  const acc = new Float64Array(4);
  for (let i = 0; i < N; i++) {
    for (let c = 0; c < width; c++) row[c] = traceLde[c]![i]!;
    combine(row, 0, width, hi, lo, 0, acc);
    S[0]![i] = acc[0]!;
    S[1]![i] = acc[1]!;
    S[2]![i] = acc[2]!;
    S[3]![i] = acc[3]!;
  }

  // x_i − z and x_i − gz, inverted in one batch each.
  const omega = rootOfUnity(Math.log2(N));
  const denZ = new Uint32Array(4 * N);
  const denGz = new Uint32Array(4 * N);
  for (let i = 0, x = shift; i < N; i++, x = mul(x, omega)) {
    denZ[4 * i] = sub(x, z[0]);
    denZ[4 * i + 1] = sub(0, z[1]);
    denZ[4 * i + 2] = sub(0, z[2]);
    denZ[4 * i + 3] = sub(0, z[3]);
    denGz[4 * i] = sub(x, gz[0]);
    denGz[4 * i + 1] = sub(0, gz[1]);
    denGz[4 * i + 2] = sub(0, gz[2]);
    denGz[4 * i + 3] = sub(0, gz[3]);
  }
  extBatchInverse(denZ);
  extBatchInverse(denGz);

  const out = new Uint32Array(4 * N);
  const t1 = new Uint32Array(4);
  const t2 = new Uint32Array(4);
  const seg = new Uint32Array(4);
  const segRow = new Uint32Array(4);
  const deltaW = new Uint32Array(delta);
  for (let i = 0; i < N; i++) {
    // C(x_i) = Σ_j γ^(w+j)·H_j(x_i)
    seg.fill(0);
    for (let j = 0; j < s; j++) {
      segRow[0] = segLde[4 * j]![i]!;
      segRow[1] = segLde[4 * j + 1]![i]!;
      segRow[2] = segLde[4 * j + 2]![i]!;
      segRow[3] = segLde[4 * j + 3]![i]!;
      extMulAt(t1, 0, segRow, 0, segCoef[j]!, 0);
      for (let k = 0; k < 4; k++) {
        const v = seg[k]! + t1[k]!;
        seg[k] = v >= P ? v - P : v;
      }
    }
    for (let k = 0; k < 4; k++) {
      const sv = S[k]![i]!;
      t1[k] = sub((sv + seg[k]!) % P, AC[k]);
      t2[k] = sub(sv, B[k]);
    }
    extMulAt(t1, 0, t1, 0, denZ, 4 * i);
    extMulAt(t2, 0, t2, 0, denGz, 4 * i);
    extMulAt(t2, 0, t2, 0, deltaW, 0);
    for (let k = 0; k < 4; k++) {
      const v = t1[k]! + t2[k]!;
      out[4 * i + k] = v >= P ? v - P : v;
    }
  }
  return out;
}

function addExt(a: Ext, b: Ext): Ext {
  return [(a[0] + b[0]) % P, (a[1] + b[1]) % P, (a[2] + b[2]) % P, (a[3] + b[3]) % P];
}
