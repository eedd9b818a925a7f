// The .wtns and .r1cs binary formats (iden3 binfile: magic, version, sections), read and written directly so the
// soundness tests can perturb witnesses and evaluate constraints without round trips through snarkjs.
import { SnarkError } from './errors.ts';

interface Sections {
  view: DataView;
  bytes: Uint8Array;
  sections: Map<number, Array<{ offset: number; size: number }>>;
}

function readSections(bytes: Uint8Array, magic: string): Sections {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 4)) !== magic) {
    throw new SnarkError(`Not a ${magic} file`);
  }
  const count = view.getUint32(8, true);
  const sections = new Map<number, Array<{ offset: number; size: number }>>();
  let pos = 12;
  for (let i = 0; i < count; i++) {
    const id = view.getUint32(pos, true);
    const size = Number(view.getBigUint64(pos + 4, true));
    const list = sections.get(id) ?? [];
    list.push({ offset: pos + 12, size });
    sections.set(id, list);
    pos += 12 + size;
  }
  if (pos > bytes.length) throw new SnarkError(`Truncated ${magic} file`);
  return { view, bytes, sections };
}

function section(s: Sections, id: number): { offset: number; size: number } {
  const found = s.sections.get(id)?.[0];
  if (!found) throw new SnarkError(`Missing section ${id}`);
  return found;
}

function readLE(bytes: Uint8Array, offset: number, n8: number): bigint {
  let v = 0n;
  for (let i = n8 - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[offset + i]!);
  return v;
}

function writeLE(bytes: Uint8Array, offset: number, n8: number, value: bigint): void {
  let v = value;
  for (let i = 0; i < n8; i++) {
    bytes[offset + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** All witness values, index 0 being the constant 1. */
export function readWitness(wtns: Uint8Array): bigint[] {
  const s = readSections(wtns, 'wtns');
  const header = section(s, 1);
  const n8 = s.view.getUint32(header.offset, true);
  const count = s.view.getUint32(header.offset + 4 + n8, true);
  const data = section(s, 2);
  const out: bigint[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = readLE(s.bytes, data.offset + i * n8, n8);
  return out;
}

/** A copy of `wtns` with witness value `index` replaced. */
export function withWitnessValue(wtns: Uint8Array, index: number, value: bigint): Uint8Array {
  const copy = wtns.slice();
  const s = readSections(copy, 'wtns');
  const header = section(s, 1);
  const n8 = s.view.getUint32(header.offset, true);
  const data = section(s, 2);
  writeLE(copy, data.offset + index * n8, n8, value);
  return copy;
}

export type LinearCombination = Array<[wire: number, coefficient: bigint]>;

export interface R1cs {
  prime: bigint;
  nWires: number;
  nOutputs: number;
  nPublicInputs: number;
  nPrivateInputs: number;
  constraints: Array<[a: LinearCombination, b: LinearCombination, c: LinearCombination]>;
}

export function readR1cs(bytes: Uint8Array): R1cs {
  const s = readSections(bytes, 'r1cs');
  const header = section(s, 1);
  let p = header.offset;
  const n8 = s.view.getUint32(p, true);
  p += 4;
  const prime = readLE(s.bytes, p, n8);
  p += n8;
  const nWires = s.view.getUint32(p, true);
  const nOutputs = s.view.getUint32(p + 4, true);
  const nPublicInputs = s.view.getUint32(p + 8, true);
  const nPrivateInputs = s.view.getUint32(p + 12, true);
  const nConstraints = s.view.getUint32(p + 24, true);
  const body = section(s, 2);
  let q = body.offset;
  const readLc = (): LinearCombination => {
    const terms = s.view.getUint32(q, true);
    q += 4;
    const lc: LinearCombination = [];
    for (let i = 0; i < terms; i++) {
      lc.push([s.view.getUint32(q, true), readLE(s.bytes, q + 4, n8)]);
      q += 4 + n8;
    }
    return lc;
  };
  const constraints: R1cs['constraints'] = [];
  for (let i = 0; i < nConstraints; i++) constraints.push([readLc(), readLc(), readLc()]);
  return { prime, nWires, nOutputs, nPublicInputs, nPrivateInputs, constraints };
}

function evalLc(lc: LinearCombination, w: readonly bigint[], p: bigint): bigint {
  let acc = 0n;
  for (const [wire, coefficient] of lc) acc += coefficient * w[wire]!;
  return acc % p;
}

/** Whether constraint `i` holds for witness `w`. */
export function constraintHolds(r1cs: R1cs, i: number, w: readonly bigint[]): boolean {
  const [a, b, c] = r1cs.constraints[i]!;
  const p = r1cs.prime;
  return (evalLc(a, w, p) * evalLc(b, w, p) - evalLc(c, w, p)) % p === 0n;
}

/** For each wire, the constraints that mention it (a perturbed wire can only break those). */
export function constraintsByWire(r1cs: R1cs): number[][] {
  const index: number[][] = Array.from({ length: r1cs.nWires }, () => []);
  r1cs.constraints.forEach(([a, b, c], i) => {
    const seen = new Set<number>();
    for (const [wire] of [...a, ...b, ...c]) {
      if (!seen.has(wire)) {
        seen.add(wire);
        index[wire]!.push(i);
      }
    }
  });
  return index;
}
