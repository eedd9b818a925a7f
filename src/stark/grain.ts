/**
 * The Grain LFSR that Poseidon and Poseidon2 use to derive round constants (the reference sage
 * scripts' `grain_sr_generator`). Regenerating the constants here and comparing them with the
 * published ones shows the constants in poseidon2-constants.ts are the nothing-up-my-sleeve ones.
 *
 * State: 80 bits initialised from (field type: 2 bits, S-box type: 4, field bits: 12, width: 12,
 * full rounds: 10, partial rounds: 10, then 30 ones); the feedback taps are bits 62, 51, 38, 23, 13
 * and 0; the first 160 outputs are discarded. Output bits are self-shrunk: of each pair, the second
 * bit is kept when the first is 1. Field elements take `fieldBits` bits MSB-first and are rejected
 * when ≥ p.
 */
import { StarkError } from './errors.ts';

export interface GrainParams {
  /** 1 for a prime field. */
  readonly fieldType: number;
  /** 0 for x^α. */
  readonly sboxType: number;
  readonly fieldBits: number;
  readonly width: number;
  readonly roundsFull: number;
  readonly roundsPartial: number;
  readonly prime: number;
}

export class GrainLfsr {
  private readonly bits: number[] = [];

  constructor(p: GrainParams) {
    const fields: [number, number][] = [
      [p.fieldType, 2],
      [p.sboxType, 4],
      [p.fieldBits, 12],
      [p.width, 12],
      [p.roundsFull, 10],
      [p.roundsPartial, 10],
    ];
    for (const [value, width] of fields) {
      if (value < 0 || value >= 2 ** width) throw new StarkError('INVALID_ARGUMENT', `Grain field ${value} too wide`);
      for (let i = width - 1; i >= 0; i--) this.bits.push((value >>> i) & 1);
    }
    for (let i = 0; i < 30; i++) this.bits.push(1);
    for (let i = 0; i < 160; i++) this.step();
  }

  private step(): number {
    const b = this.bits;
    const next = b[62]! ^ b[51]! ^ b[38]! ^ b[23]! ^ b[13]! ^ b[0]!;
    b.shift();
    b.push(next);
    return next;
  }

  nextBit(): number {
    for (;;) {
      const control = this.step();
      const output = this.step();
      if (control === 1) return output;
    }
  }

  nextFieldElement(fieldBits: number, prime: number): number {
    for (;;) {
      let v = 0;
      for (let i = 0; i < fieldBits; i++) v = v * 2 + this.nextBit();
      if (v < prime) return v;
    }
  }
}

/**
 * Poseidon2 round constants in generation order: roundsFull/2 rounds × width, then one per partial
 * round, then the remaining roundsFull/2 × width.
 */
export function grainPoseidon2Constants(p: GrainParams): { external: number[][]; internal: number[] } {
  const g = new GrainLfsr(p);
  const next = () => g.nextFieldElement(p.fieldBits, p.prime);
  const full = () => Array.from({ length: p.width }, next);
  const half = p.roundsFull / 2;
  const first = Array.from({ length: half }, full);
  const internal = Array.from({ length: p.roundsPartial }, next);
  const last = Array.from({ length: half }, full);
  return { external: [...first, ...last], internal };
}
