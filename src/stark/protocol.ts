/**
 * What prover and verifier must agree on bit for bit: the transcript's opening, the number of
 * composition segments, and the leaf encodings.
 */
import { endianness } from 'node:os';
import type { Air } from './air.ts';
import { StarkError } from './errors.ts';
import { isCanonical } from './field.ts';
import type { Ext } from './ext.ts';
import * as extModule from './ext.ts';
// Local bindings: the loader compiles imported bindings to getters, which cost a call per use in hot loops.
const { extMul } = extModule;
import type { StarkParams } from './params.ts';
import { PROOF_VERSION } from './proof.ts';
import { Transcript } from './transcript.ts';

if (endianness() !== 'LE') {
  // Leaves are hashed straight from Uint32Array memory, which is only the wire order on LE hosts.
  throw new Error('the STARK library needs a little-endian host');
}

/** Composition segments: the quotient has degree < (degree − 1)·n, split into n-sized pieces. */
export function numSegments(air: Air): number {
  return Math.max(1, air.degree - 1);
}

export function startTranscript(air: Air, params: StarkParams): Transcript {
  const t = new Transcript(air.name);
  const header = new Uint8Array(16);
  const view = new DataView(header.buffer);
  view.setUint8(0, PROOF_VERSION);
  view.setUint8(1, params.blowupLog);
  view.setUint8(2, params.numQueries);
  view.setUint8(3, params.grindingBits);
  view.setUint32(4, air.traceLength, true);
  view.setUint32(8, air.traceWidth, true);
  view.setUint16(12, air.numRowConstraints, true);
  view.setUint16(14, air.numTransitionConstraints, true);
  t.absorb(header);
  t.absorb(air.publicInputBytes());
  return t;
}

/** 1, a, a^2, … as interleaved extension elements. */
export function extPowers(a: Ext, count: number): Uint32Array {
  const out = new Uint32Array(4 * count);
  let acc: Ext = [1, 0, 0, 0];
  for (let i = 0; i < count; i++) {
    out.set(acc, 4 * i);
    acc = extMul(acc, a);
  }
  return out;
}

export function bytesOf(words: Uint32Array): Uint8Array {
  return new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
}

export function checkAirShape(air: Air): void {
  const n = air.traceLength;
  if (!Number.isInteger(n) || n < 2 || (n & (n - 1)) !== 0) {
    throw new StarkError('INVALID_ARGUMENT', `trace length must be a power of two ≥ 2, got ${n}`);
  }
  if (!Number.isInteger(air.traceWidth) || air.traceWidth < 1 || air.traceWidth > 0xffff) {
    throw new StarkError('INVALID_ARGUMENT', `bad trace width ${air.traceWidth}`);
  }
  if (!Number.isInteger(air.degree) || air.degree < 1 || air.degree > 64) {
    throw new StarkError('INVALID_ARGUMENT', `bad constraint degree ${air.degree}`);
  }
  for (const col of air.periodicColumns()) {
    const m = col.length;
    if (m < 1 || (m & (m - 1)) !== 0 || m > n) {
      throw new StarkError('INVALID_ARGUMENT', `periodic column length ${m} must be a power of two ≤ ${n}`);
    }
  }
  for (const b of air.boundaryConstraints()) {
    if (b.column < 0 || b.column >= air.traceWidth || b.row < 0 || b.row >= n || !Number.isInteger(b.row)) {
      throw new StarkError('INVALID_ARGUMENT', `boundary constraint out of range: column ${b.column}, row ${b.row}`);
    }
    if (!isCanonical(b.value)) {
      throw new StarkError('INVALID_ARGUMENT', `boundary value ${b.value} is not a BabyBear element`);
    }
  }
}
