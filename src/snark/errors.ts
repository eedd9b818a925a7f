import { BaseError } from '../shared/index.ts';

/** Base of every error the SNARK module raises, so callers can tell them from bugs. */
export class SnarkError extends BaseError {
  override name = 'SnarkError';
}

/** The circom compiler rejected a circuit, or could not be run. */
export class CircuitCompileError extends SnarkError {
  override name = 'CircuitCompileError';
}

/** A powers-of-tau file is missing, malformed, or too small for the circuit. */
export class PtauError extends SnarkError {
  override name = 'PtauError';
}

/** The inputs do not satisfy the circuit (an invalid batch, a forged signature, ...). */
export class WitnessError extends SnarkError {
  override name = 'WitnessError';
}

/** Proving failed, or a freshly made proof did not verify. */
export class ProveError extends SnarkError {
  override name = 'ProveError';
}

/** A proof, verification key or public input could not be decoded. */
export class ProofFormatError extends SnarkError {
  override name = 'ProofFormatError';
}
