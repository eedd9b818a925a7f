/**
 * Number-theoretic transforms over BabyBear and low-degree extension onto a coset.
 *
 * Radix-2, in place, natural order in and out. Twiddles are cached per size and the butterfly's
 * modular multiplication is inlined (float quotient + Math.imul remainder, as in field.mul).
 */
import { StarkError } from './errors.ts';
import * as fieldModule from './field.ts';
// Local bindings: the loader compiles imported bindings to getters, which cost a call per use in hot loops.
const { P, inv, mul, powers, rootOfUnity } = fieldModule;

const INV_P = 1 / P;

const forwardCache = new Map<number, Float64Array>();
const inverseCache = new Map<number, Float64Array>();

/**
 * Per-stage twiddles laid out contiguously: for the stage combining blocks of size 2h, the h
 * factors ω_{2h}^k sit at [h, 2h), so the inner loop reads them sequentially.
 */
function twiddles(logN: number, inverse: boolean): Float64Array {
  const cache = inverse ? inverseCache : forwardCache;
  let t = cache.get(logN);
  if (!t) {
    const n = 1 << logN;
    t = new Float64Array(Math.max(2, n));
    for (let h = 1, log = 1; h < n; h <<= 1, log++) {
      const root = inverse ? inv(rootOfUnity(log)) : rootOfUnity(log);
      t.set(powers(root, h), h);
    }
    cache.set(logN, t);
  }
  return t;
}

export function log2Exact(n: number): number {
  if (!Number.isInteger(n) || n < 1 || (n & (n - 1)) !== 0) {
    throw new StarkError('INVALID_ARGUMENT', `expected a power of two, got ${n}`);
  }
  return 31 - Math.clz32(n);
}

function bitReverse(a: Uint32Array, logN: number): void {
  const n = a.length;
  const shift = 32 - logN;
  for (let i = 0; i < n; i++) {
    const j = logN === 0 ? 0 : reverse32(i) >>> shift;
    if (j > i) {
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
  }
}

function reverse32(x: number): number {
  x = ((x >>> 1) & 0x55555555) | ((x & 0x55555555) << 1);
  x = ((x >>> 2) & 0x33333333) | ((x & 0x33333333) << 2);
  x = ((x >>> 4) & 0x0f0f0f0f) | ((x & 0x0f0f0f0f) << 4);
  x = ((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8);
  return ((x >>> 16) | (x << 16)) >>> 0;
}

function transform(a: Uint32Array, inverse: boolean): void {
  const n = a.length;
  const logN = log2Exact(n);
  if (n === 1) return;
  bitReverse(a, logN);
  const tw = twiddles(logN, inverse);
  for (let half = 1; half < n; half <<= 1) {
    for (let start = 0; start < n; start += 2 * half) {
      for (let k = 0; k < half; k++) {
        const i = start + k;
        const j = i + half;
        const v = a[j]!;
        const w = tw[half + k]!;
        // v·w mod p, inlined (see field.mul)
        const q = Math.floor(v * w * INV_P);
        let m = (Math.imul(v, w) - Math.imul(q, P)) | 0;
        if (m < 0) m += P;
        else if (m >= P) m -= P;
        const u = a[i]!;
        const s = u + m;
        a[i] = s >= P ? s - P : s;
        const d = u - m;
        a[j] = d < 0 ? d + P : d;
      }
    }
  }
}

/** Coefficients → evaluations on the subgroup of size n (natural order), in place. */
export function ntt(a: Uint32Array): Uint32Array {
  transform(a, false);
  return a;
}

/** Evaluations on the subgroup of size n → coefficients, in place. */
export function intt(a: Uint32Array): Uint32Array {
  transform(a, true);
  const nInv = inv(a.length);
  for (let i = 0; i < a.length; i++) a[i] = mul(a[i]!, nInv);
  return a;
}

/**
 * Evaluates a polynomial (coefficients, length a power of two m ≤ size) on the coset shift·⟨ω_size⟩.
 * The coset splits into size/m cosets of ⟨ω_m⟩ (point i = k·(size/m) + r lies in the r-th), so it
 * runs size/m NTTs of size m: fewer butterflies than one padded NTT, and each fits in cache.
 */
export function evaluateOnCoset(coeffs: Uint32Array, size: number, shift: number): Uint32Array {
  const m = coeffs.length;
  log2Exact(m);
  if (m > size || size % m !== 0) throw new StarkError('INVALID_ARGUMENT', 'polynomial longer than the domain');
  const ratio = size / m;
  const out = new Uint32Array(size);
  const tmp = new Uint32Array(m);
  const scales = cosetScales(m, size, shift);
  for (let r = 0; r < ratio; r++) {
    const scale = scales[r]!;
    for (let i = 0; i < m; i++) tmp[i] = mul(coeffs[i]!, scale[i]!);
    ntt(tmp);
    for (let k = 0; k < m; k++) out[k * ratio + r] = tmp[k]!;
  }
  return out;
}

/**
 * (shift·ω_size^r)^i for each sub-coset r and i < m, cached: every column of a trace is extended
 * onto the same domain, so this saves one multiplication per coefficient per sub-coset.
 */
const scaleCache = new Map<string, Uint32Array[]>();
function cosetScales(m: number, size: number, shift: number): Uint32Array[] {
  const key = `${m}/${size}/${shift}`;
  let scales = scaleCache.get(key);
  if (!scales) {
    const omega = rootOfUnity(log2Exact(size));
    scales = [];
    for (let r = 0, base = shift; r < size / m; r++, base = mul(base, omega)) scales.push(powers(base, m));
    if (scaleCache.size > 16) scaleCache.clear();
    scaleCache.set(key, scales);
  }
  return scales;
}

/** Evaluations on the coset shift·⟨ω_n⟩ → coefficients. */
export function interpolateCoset(evals: Uint32Array, shift: number): Uint32Array {
  const c = intt(Uint32Array.from(evals));
  const shiftInv = inv(shift);
  let s = 1;
  for (let i = 0; i < c.length; i++) {
    c[i] = mul(c[i]!, s);
    s = mul(s, shiftInv);
  }
  return c;
}

/** Low-degree extension: evaluations on the trace subgroup (size n) → evaluations on shift·⟨ω_{n·blowup}⟩. */
export function lowDegreeExtend(evals: Uint32Array, blowup: number, shift: number): Uint32Array {
  const coeffs = intt(Uint32Array.from(evals));
  return evaluateOnCoset(coeffs, evals.length * blowup, shift);
}

/** Evaluates a base-field polynomial at a point by Horner's rule. */
export function evaluatePoly(coeffs: ArrayLike<number>, x: number): number {
  let acc = 0;
  for (let i = coeffs.length - 1; i >= 0; i--) {
    const y = mul(acc, x) + coeffs[i]!;
    acc = y >= P ? y - P : y;
  }
  return acc;
}
