/**
 * Proof parameters and their conjectured security.
 *
 * Conjectured security (the ethSTARK/Winterfell estimate, assuming FRI's list-decoding conjecture):
 *   min( queries·log2(blowup) + grindingBits,   the query phase
 *        ⌊log2 |E|⌋ − log2(LDE size),           challenges in the extension field E
 *        128 )                                   SHA-256 collision resistance
 */
import { StarkError } from './errors.ts';

export interface StarkParams {
  /** log2 of the LDE blowup factor. */
  readonly blowupLog: number;
  readonly numQueries: number;
  readonly grindingBits: number;
}

/** ⌊log2(p^4)⌋ for BabyBear's quartic extension. */
export const EXT_FIELD_BITS = 123;
export const HASH_COLLISION_BITS = 128;
export const DEFAULT_SECURITY_BITS = 100;
export const DEFAULT_GRINDING_BITS = 16;
export const MAX_QUERIES = 255;

export function conjecturedSecurity(params: StarkParams, traceLength: number): number {
  const ldeLog = Math.log2(traceLength) + params.blowupLog;
  const querySecurity = params.numQueries * params.blowupLog + params.grindingBits;
  const fieldSecurity = EXT_FIELD_BITS - ldeLog;
  return Math.floor(Math.min(querySecurity, fieldSecurity, HASH_COLLISION_BITS));
}

/** The smallest blowup that still lets the composition polynomial be evaluated on the LDE domain. */
export function minBlowupLog(degree: number): number {
  return Math.max(1, Math.ceil(Math.log2(Math.max(2, degree))));
}

/**
 * Parameters reaching `securityBits` for an AIR of the given constraint degree and trace length.
 * The blowup is the smallest the degree allows (but at least 8, which keeps proofs small), and the
 * queries fill the rest of the budget above the grinding bits.
 */
export function paramsForSecurity(
  securityBits: number,
  degree: number,
  traceLength: number,
  options: { blowupLog?: number; grindingBits?: number } = {},
): StarkParams {
  const blowupLog = options.blowupLog ?? Math.max(3, minBlowupLog(degree));
  if (blowupLog < minBlowupLog(degree)) {
    throw new StarkError('INVALID_ARGUMENT', `blowup 2^${blowupLog} too small for constraint degree ${degree}`);
  }
  const grindingBits = options.grindingBits ?? Math.min(DEFAULT_GRINDING_BITS, Math.max(0, securityBits - 1));
  const numQueries = Math.max(1, Math.ceil((securityBits - grindingBits) / blowupLog));
  if (numQueries > MAX_QUERIES) throw new StarkError('INVALID_ARGUMENT', `${securityBits} bits needs too many queries`);
  const params = { blowupLog, numQueries, grindingBits };
  const reached = conjecturedSecurity(params, traceLength);
  if (reached < securityBits) {
    throw new StarkError('INSUFFICIENT_SECURITY', `cannot reach ${securityBits} bits for this trace length`, {
      details: `the extension field caps security at ${reached} bits here`,
    });
  }
  return params;
}
