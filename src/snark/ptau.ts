// A development powers-of-tau ceremony with a KNOWN tau (ARCHITECTURE.md decision 7). INSECURE: anyone can forge
// proofs under keys made from it. It exists because snarkjs's own phase-2 preparation (FFTs over curve points) takes
// tens of minutes on two cores; knowing tau, every point is a single fixed-base multiple of the generator.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Field } from '@noble/curves/abstract/modular.js';
import { buildBn128 } from 'ffjavascript';
import type { WasmCurve, WasmGroup } from 'ffjavascript';
import { PtauError } from './errors.ts';
import { withFileLock } from './lock.ts';
import { SHARED_DEV_PTAU, keelCacheDir } from './paths.ts';

/** BN254 base field modulus (the `q` stored in a ptau header). */
const BN254_Q = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47n;
/** BN254 scalar field order. */
export const BN254_R = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001n;
const Fr = Field(BN254_R);
/** r - 1 = 2^28 * odd: the largest power-of-two FFT domain of BN254's scalar field. */
const TWO_ADICITY = 28;
const G1_BYTES = 64;
const G2_BYTES = 128;

export const DEV_CEREMONY_LABEL = 'keel development ceremony - INSECURE - known toxic waste, never use in production';

export interface CeremonySecrets {
  tau: bigint;
  alpha: bigint;
  beta: bigint;
}

export type ProgressFn = (done: number, total: number, what: string) => void;

/** The toxic waste of the development ceremony, derived from a public label so anyone can reproduce (and forge). */
export function devCeremonySecrets(label: string = DEV_CEREMONY_LABEL): CeremonySecrets {
  const derive = (name: string): bigint => {
    const digest = createHash('sha512').update(`${label}/${name}`).digest('hex');
    return Fr.create(BigInt('0x' + digest));
  };
  return { tau: derive('tau'), alpha: derive('alpha'), beta: derive('beta') };
}

/** The generator of the order-2^power subgroup that snarkjs/ffjavascript use (5 is the first non-residue). */
export function rootOfUnity(power: number): bigint {
  if (power < 0 || power > TWO_ADICITY) throw new PtauError(`No 2^${power} root of unity in BN254's scalar field`);
  let w = Fr.pow(5n, (BN254_R - 1n) >> BigInt(TWO_ADICITY));
  for (let i = TWO_ADICITY; i > power; i--) w = Fr.sqr(w);
  return w;
}

/**
 * Evaluations at tau of the Lagrange basis over the 2^p domain, in the order ffjavascript's inverse FFT gives them:
 * L_i(tau) = w^i (tau^m - 1) / (m (tau - w^i)).
 * With `dropLast`, the input vector's last power tau^(m-1) is zero (snarkjs pads tauG1, which has 2m-1 points, that way
 * for the doubled domain), which subtracts tau^(m-1) w^i / m from each value.
 */
export function lagrangeAtTau(tau: bigint, p: number, dropLast = false): bigint[] {
  const m = 1 << p;
  const w = rootOfUnity(p);
  const powers: bigint[] = new Array(m);
  powers[0] = 1n;
  for (let i = 1; i < m; i++) powers[i] = Fr.mul(powers[i - 1]!, w);
  const denominators = powers.map((wi) => Fr.sub(tau, wi));
  if (denominators.some((d) => d === 0n)) throw new PtauError('tau lies in the evaluation domain; pick another');
  const inverses = Fr.invertBatch(denominators);
  const mInv = Fr.inv(BigInt(m));
  const common = Fr.mul(Fr.sub(Fr.pow(tau, BigInt(m)), 1n), mInv);
  const lastTerm = dropLast ? Fr.mul(Fr.pow(tau, BigInt(m - 1)), mInv) : 0n;
  return powers.map((wi, i) => Fr.sub(Fr.mul(Fr.mul(wi, common), inverses[i]!), Fr.mul(lastTerm, wi)));
}

function geometric(start: bigint, ratio: bigint, count: number): bigint[] {
  const out: bigint[] = new Array(count);
  let acc = start;
  for (let i = 0; i < count; i++) {
    out[i] = acc;
    acc = Fr.mul(acc, ratio);
  }
  return out;
}

interface SectionPlan {
  id: number;
  group: 'G1' | 'G2' | 'raw';
  /** Scalars whose multiples of the generator make up the section, produced lazily to bound memory. */
  chunks: Array<() => bigint[]>;
  count: number;
  raw?: Uint8Array;
}

function planSections(power: number, s: CeremonySecrets, prepared: boolean): SectionPlan[] {
  const n = 2 ** power;
  const { tau, alpha, beta } = s;
  const one = (id: number, group: 'G1' | 'G2', make: () => bigint[], count: number): SectionPlan => ({
    id,
    group,
    chunks: [make],
    count,
  });
  const plans: SectionPlan[] = [
    one(2, 'G1', () => geometric(1n, tau, 2 * n - 1), 2 * n - 1),
    one(3, 'G2', () => geometric(1n, tau, n), n),
    one(4, 'G1', () => geometric(alpha, tau, n), n),
    one(5, 'G1', () => geometric(beta, tau, n), n),
    one(6, 'G2', () => [beta], 1),
    // Zero contributions: nothing here claims to be a ceremony transcript.
    { id: 7, group: 'raw', chunks: [], count: 0, raw: new Uint8Array(4) },
  ];
  if (!prepared) return plans;
  const lagrange = (id: number, group: 'G1' | 'G2', factor: bigint, maxP: number): SectionPlan => {
    const chunks: Array<() => bigint[]> = [];
    let count = 0;
    for (let p = 0; p <= maxP; p++) {
      const dropLast = p === power + 1;
      chunks.push(() => lagrangeAtTau(tau, p, dropLast).map((l) => Fr.mul(l, factor)));
      count += 2 ** p;
    }
    return { id, group, chunks, count };
  };
  plans.push(
    lagrange(12, 'G1', 1n, power + 1),
    lagrange(13, 'G2', 1n, power),
    lagrange(14, 'G1', alpha, power),
    lagrange(15, 'G1', beta, power),
  );
  return plans;
}

function headerSection(power: number): Uint8Array {
  const out = new Uint8Array(4 + 32 + 4 + 4);
  const view = new DataView(out.buffer);
  view.setUint32(0, 32, true);
  let q = BN254_Q;
  for (let i = 0; i < 32; i++) {
    out[4 + i] = Number(q & 0xffn);
    q >>= 8n;
  }
  view.setUint32(36, power, true);
  view.setUint32(40, power, true);
  return out;
}

function sectionHeader(id: number, size: number): Uint8Array {
  const out = new Uint8Array(12);
  const view = new DataView(out.buffer);
  view.setUint32(0, id, true);
  view.setBigUint64(4, BigInt(size), true);
  return out;
}

export interface WriteDevPtauOptions {
  secrets?: CeremonySecrets;
  /** Also write the Lagrange-basis sections 12–15 that Groth16 setup needs (default true). */
  prepared?: boolean;
  onProgress?: ProgressFn;
}

/**
 * Writes a snarkjs-compatible powers-of-tau file for 2^power constraints from a known tau. The file is written to a
 * temporary name first and renamed, so a crash never leaves a truncated ptau that looks valid.
 */
export async function writeDevPtau(path: string, power: number, options: WriteDevPtauOptions = {}): Promise<void> {
  if (!Number.isInteger(power) || power < 1 || power > TWO_ADICITY - 1) {
    throw new PtauError(`Invalid ceremony power ${power}`, { details: `expected an integer in 1..${TWO_ADICITY - 1}` });
  }
  const secrets = options.secrets ?? devCeremonySecrets();
  const prepared = options.prepared ?? true;
  const plans = planSections(power, secrets, prepared);
  const total = plans.reduce((sum, p) => sum + p.count * (p.group === 'G2' ? 3 : 1), 0);
  let done = 0;
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  const curve: WasmCurve = await buildBn128(true);
  const fd = openSync(tmp, 'w');
  try {
    const write = (bytes: Uint8Array): void => {
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    };
    const magic = new Uint8Array(12);
    magic.set(new TextEncoder().encode('ptau'));
    new DataView(magic.buffer).setUint32(4, 1, true);
    new DataView(magic.buffer).setUint32(8, plans.length + 1, true);
    write(magic);
    const header = headerSection(power);
    write(sectionHeader(1, header.length));
    write(header);
    for (const plan of plans) {
      if (plan.group === 'raw') {
        write(sectionHeader(plan.id, plan.raw!.length));
        write(plan.raw!);
        continue;
      }
      const group: WasmGroup = plan.group === 'G1' ? curve.G1 : curve.G2;
      const size = plan.group === 'G1' ? G1_BYTES : G2_BYTES;
      const weight = plan.group === 'G2' ? 3 : 1;
      write(sectionHeader(plan.id, plan.count * size));
      for (const makeScalars of plan.chunks) {
        const scalars = makeScalars();
        const batch = 1024;
        for (let start = 0; start < scalars.length; start += batch) {
          const end = Math.min(start + batch, scalars.length);
          const buffer = new Uint8Array((end - start) * size);
          for (let i = start; i < end; i++) {
            group.toRprLEM(buffer, (i - start) * size, group.timesFr(group.g, curve.Fr.e(scalars[i]!)));
          }
          write(buffer);
          done += (end - start) * weight;
          options.onProgress?.(done, total, `section ${plan.id}`);
        }
      }
    }
  } finally {
    closeSync(fd);
    await curve.terminate();
  }
  renameSync(tmp, path);
}

export interface PtauInfo {
  path: string;
  power: number;
  prepared: boolean;
}

/** Reads the header of a ptau file: its power and whether it carries the phase-2 Lagrange sections. */
export function readPtauInfo(path: string): PtauInfo {
  if (!existsSync(path)) throw new PtauError(`No powers-of-tau file at ${path}`);
  const fd = openSync(path, 'r');
  try {
    const head = new Uint8Array(12);
    readSync(fd, head, 0, 12, 0);
    const view = new DataView(head.buffer);
    if (new TextDecoder().decode(head.subarray(0, 4)) !== 'ptau') {
      throw new PtauError(`${path} is not a ptau file`, { details: 'bad magic' });
    }
    const nSections = view.getUint32(8, true);
    let pos = 12;
    let power = -1;
    let prepared = false;
    for (let i = 0; i < nSections; i++) {
      const sh = new Uint8Array(12);
      if (readSync(fd, sh, 0, 12, pos) !== 12) throw new PtauError(`${path} is truncated`);
      const sv = new DataView(sh.buffer);
      const id = sv.getUint32(0, true);
      const size = Number(sv.getBigUint64(4, true));
      if (id === 1) {
        const body = new Uint8Array(44);
        readSync(fd, body, 0, 44, pos + 12);
        const bv = new DataView(body.buffer);
        if (bv.getUint32(0, true) !== 32) throw new PtauError(`${path} is not over BN254`);
        power = bv.getUint32(36, true);
      }
      if (id === 12) prepared = true;
      pos += 12 + size;
    }
    if (power < 0) throw new PtauError(`${path} has no header section`);
    return { path, power, prepared };
  } finally {
    closeSync(fd);
  }
}

/** Where the generated development ceremony for a power is cached. */
export function devPtauCachePath(power: number): string {
  return join(keelCacheDir(), 'ptau', `keel-dev-INSECURE-pot${power}.ptau`);
}

/**
 * A prepared ptau file large enough for 2^power constraints: the shared development file when it is present and big
 * enough, an explicit `KEEL_PTAU` (e.g. a public ceremony file in production), or else a generated, cached INSECURE
 * development ceremony.
 */
export async function resolvePtau(power: number, onProgress?: ProgressFn): Promise<PtauInfo> {
  const candidates = [process.env['KEEL_PTAU'], SHARED_DEV_PTAU].filter((p): p is string => !!p);
  for (const path of candidates) {
    if (!existsSync(path)) continue;
    const info = readPtauInfo(path);
    if (info.power >= power && info.prepared) return info;
  }
  const cached = devPtauCachePath(power);
  if (!existsSync(cached)) {
    mkdirSync(dirname(cached), { recursive: true });
    await withFileLock(`${cached}.lock`, async () => {
      if (!existsSync(cached)) await writeDevPtau(cached, power, { onProgress });
    });
  }
  return readPtauInfo(cached);
}

/** A progress display for long ceremony runs, on stderr so piped output stays clean. */
export function stderrProgress(label: string): ProgressFn {
  let last = -1;
  return (done, total, what) => {
    const pct = Math.floor((100 * done) / total);
    if (pct === last) return;
    last = pct;
    process.stderr.write(`\r${label}: ${pct}% (${what})${pct === 100 ? '\n' : ''}`);
  };
}
