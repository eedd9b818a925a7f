/**
 * The versioned binary proof format. Every field has a fixed size given the header, every field
 * element must be canonical, and no trailing bytes are allowed, so a parsed proof re-serialises to
 * the same bytes and any changed byte changes something the verifier checks.
 *
 * Layout (little-endian):
 *   "KSTK" · version u8 · blowupLog u8 · numQueries u8 · grindingBits u8 · traceLengthLog u8 ·
 *   traceWidth u16 · numSegments u8 ·
 *   traceRoot[32] · compositionRoot[32] ·
 *   ood: trace(z)[width·4 u32] · trace(g·z)[width·4 u32] · segments(z)[numSegments·4 u32] ·
 *   friRoots[(folds−1)·32] · finalLayer[finalSize·4 u32] · powNonce u64 ·
 *   per query: trace rows q, q+N/2 and their leaf's path · composition rows q, q+N/2 and path ·
 *              per committed FRI layer: the leaf pair (8 u32) and its path.
 */
import { StarkError } from './errors.ts';
import * as fieldModule from './field.ts';
// Local bindings: the loader compiles imported bindings to getters, which cost a call per use in hot loops.
const { P } = fieldModule;
import { DIGEST_BYTES } from './hash.ts';
import type { StarkParams } from './params.ts';

export const PROOF_MAGIC = new Uint8Array([0x4b, 0x53, 0x54, 0x4b]); // "KSTK"
export const PROOF_VERSION = 1;
/** FRI stops folding when the degree bound reaches this (the final layer is sent in full). */
export const FRI_FINAL_DEGREE_LOG = 3;

export interface FriQueryLayer {
  readonly pair: Uint32Array; // 8 words: two extension elements
  readonly path: Uint8Array;
}

export interface QueryOpening {
  readonly traceLo: Uint32Array;
  readonly traceHi: Uint32Array;
  /** One path: a trace leaf holds rows q and q+N/2 together (the two points FRI folds together). */
  readonly tracePath: Uint8Array;
  readonly compLo: Uint32Array;
  readonly compHi: Uint32Array;
  readonly compPath: Uint8Array;
  readonly fri: readonly FriQueryLayer[];
}

export interface StarkProof {
  readonly version: number;
  readonly params: StarkParams;
  readonly traceLengthLog: number;
  readonly traceWidth: number;
  readonly numSegments: number;
  readonly traceRoot: Uint8Array;
  readonly compositionRoot: Uint8Array;
  readonly oodTrace: Uint32Array;
  readonly oodTraceNext: Uint32Array;
  readonly oodSegments: Uint32Array;
  readonly friRoots: readonly Uint8Array[];
  readonly finalLayer: Uint32Array;
  readonly powNonce: number;
  readonly queries: readonly QueryOpening[];
}

/** Shape facts derived from the header. */
export interface ProofShape {
  readonly ldeLog: number;
  readonly folds: number;
  readonly finalLayerLog: number;
}

export function proofShape(traceLengthLog: number, blowupLog: number): ProofShape {
  const folds = Math.max(0, traceLengthLog - FRI_FINAL_DEGREE_LOG);
  const ldeLog = traceLengthLog + blowupLog;
  return { ldeLog, folds, finalLayerLog: ldeLog - folds };
}

class Writer {
  private chunks: Uint8Array[] = [];
  u8(v: number): void {
    this.chunks.push(new Uint8Array([v]));
  }
  u16(v: number): void {
    this.chunks.push(new Uint8Array([v & 0xff, v >>> 8]));
  }
  u64(v: number): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
    this.chunks.push(b);
  }
  bytes(b: Uint8Array): void {
    this.chunks.push(b);
  }
  words(w: Uint32Array): void {
    const b = new Uint8Array(w.length * 4);
    const view = new DataView(b.buffer);
    for (let i = 0; i < w.length; i++) view.setUint32(4 * i, w[i]!, true);
    this.chunks.push(b);
  }
  finish(): Uint8Array {
    let len = 0;
    for (const c of this.chunks) len += c.length;
    const out = new Uint8Array(len);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

class Reader {
  private offset = 0;
  private readonly view: DataView;
  constructor(private readonly data: Uint8Array) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }
  private need(n: number, what: string): void {
    if (this.offset + n > this.data.length) {
      throw new StarkError('MALFORMED_PROOF', `proof truncated while reading ${what}`);
    }
  }
  u8(what: string): number {
    this.need(1, what);
    return this.data[this.offset++]!;
  }
  u16(what: string): number {
    this.need(2, what);
    const v = this.view.getUint16(this.offset, true);
    this.offset += 2;
    return v;
  }
  u64(what: string): number {
    this.need(8, what);
    const v = this.view.getBigUint64(this.offset, true);
    this.offset += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new StarkError('MALFORMED_PROOF', `${what} out of range`);
    return Number(v);
  }
  bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    const b = this.data.slice(this.offset, this.offset + n);
    this.offset += n;
    return b;
  }
  /** Field elements; each must be canonical (< p). */
  words(n: number, what: string): Uint32Array {
    this.need(4 * n, what);
    const out = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const v = this.view.getUint32(this.offset + 4 * i, true);
      if (v >= P) throw new StarkError('MALFORMED_PROOF', `non-canonical field element in ${what}`);
      out[i] = v;
    }
    this.offset += 4 * n;
    return out;
  }
  end(): void {
    if (this.offset !== this.data.length) {
      throw new StarkError('MALFORMED_PROOF', `${this.data.length - this.offset} trailing bytes after the proof`);
    }
  }
}

export function serializeProof(proof: StarkProof): Uint8Array {
  const w = new Writer();
  w.bytes(PROOF_MAGIC);
  w.u8(proof.version);
  w.u8(proof.params.blowupLog);
  w.u8(proof.params.numQueries);
  w.u8(proof.params.grindingBits);
  w.u8(proof.traceLengthLog);
  w.u16(proof.traceWidth);
  w.u8(proof.numSegments);
  w.bytes(proof.traceRoot);
  w.bytes(proof.compositionRoot);
  w.words(proof.oodTrace);
  w.words(proof.oodTraceNext);
  w.words(proof.oodSegments);
  for (const r of proof.friRoots) w.bytes(r);
  w.words(proof.finalLayer);
  w.u64(proof.powNonce);
  for (const q of proof.queries) {
    w.words(q.traceLo);
    w.words(q.traceHi);
    w.bytes(q.tracePath);
    w.words(q.compLo);
    w.words(q.compHi);
    w.bytes(q.compPath);
    for (const layer of q.fri) {
      w.words(layer.pair);
      w.bytes(layer.path);
    }
  }
  return w.finish();
}

/** Limits that keep a hostile header from making the parser allocate absurd amounts. */
const MAX_TRACE_LENGTH_LOG = 26;
const MAX_BLOWUP_LOG = 6;
const MAX_GRINDING_BITS = 40;

export function parseProof(bytes: Uint8Array): StarkProof {
  if (!(bytes instanceof Uint8Array)) throw new StarkError('MALFORMED_PROOF', 'proof must be a Uint8Array');
  const r = new Reader(bytes);
  const magic = r.bytes(4, 'magic');
  if (magic.some((b, i) => b !== PROOF_MAGIC[i])) throw new StarkError('MALFORMED_PROOF', 'not a Keel STARK proof');
  const version = r.u8('version');
  if (version !== PROOF_VERSION) {
    throw new StarkError('UNSUPPORTED_VERSION', `proof version ${version}, this verifier reads ${PROOF_VERSION}`);
  }
  const blowupLog = r.u8('blowupLog');
  const numQueries = r.u8('numQueries');
  const grindingBits = r.u8('grindingBits');
  const traceLengthLog = r.u8('traceLengthLog');
  const traceWidth = r.u16('traceWidth');
  const numSegments = r.u8('numSegments');
  if (blowupLog < 1 || blowupLog > MAX_BLOWUP_LOG)
    throw new StarkError('MALFORMED_PROOF', `bad blowupLog ${blowupLog}`);
  if (numQueries < 1) throw new StarkError('MALFORMED_PROOF', 'zero queries');
  if (grindingBits > MAX_GRINDING_BITS) throw new StarkError('MALFORMED_PROOF', `bad grindingBits ${grindingBits}`);
  if (traceLengthLog < 1 || traceLengthLog > MAX_TRACE_LENGTH_LOG) {
    throw new StarkError('MALFORMED_PROOF', `bad traceLengthLog ${traceLengthLog}`);
  }
  if (traceWidth < 1 || numSegments < 1 || numSegments > 1 << blowupLog) {
    throw new StarkError('MALFORMED_PROOF', 'bad trace width or segment count');
  }
  const shape = proofShape(traceLengthLog, blowupLog);
  const traceRoot = r.bytes(DIGEST_BYTES, 'traceRoot');
  const compositionRoot = r.bytes(DIGEST_BYTES, 'compositionRoot');
  const oodTrace = r.words(traceWidth * 4, 'oodTrace');
  const oodTraceNext = r.words(traceWidth * 4, 'oodTraceNext');
  const oodSegments = r.words(numSegments * 4, 'oodSegments');
  const friRoots: Uint8Array[] = [];
  for (let k = 1; k < shape.folds; k++) friRoots.push(r.bytes(DIGEST_BYTES, 'friRoot'));
  const finalLayer = r.words(4 << shape.finalLayerLog, 'finalLayer');
  const powNonce = r.u64('powNonce');
  const depth = shape.ldeLog - 1;
  const queries: QueryOpening[] = [];
  for (let t = 0; t < numQueries; t++) {
    const traceLo = r.words(traceWidth, 'trace row');
    const traceHi = r.words(traceWidth, 'trace row');
    const tracePath = r.bytes(depth * DIGEST_BYTES, 'trace path');
    const compLo = r.words(numSegments * 4, 'composition row');
    const compHi = r.words(numSegments * 4, 'composition row');
    const compPath = r.bytes(depth * DIGEST_BYTES, 'composition path');
    const fri: FriQueryLayer[] = [];
    for (let k = 1; k < shape.folds; k++) {
      const pair = r.words(8, 'FRI pair');
      const path = r.bytes((shape.ldeLog - k - 1) * DIGEST_BYTES, 'FRI path');
      fri.push({ pair, path });
    }
    queries.push({ traceLo, traceHi, tracePath, compLo, compHi, compPath, fri });
  }
  r.end();
  return {
    version,
    params: { blowupLog, numQueries, grindingBits },
    traceLengthLog,
    traceWidth,
    numSegments,
    traceRoot,
    compositionRoot,
    oodTrace,
    oodTraceNext,
    oodSegments,
    friRoots,
    finalLayer,
    powNonce,
    queries,
  };
}
