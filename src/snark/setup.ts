// Groth16 circuit setup (snarkjs) on top of a prepared powers of tau, cached next to the compiled circuit.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as snarkjs from 'snarkjs';
import { compileCircuit } from './compile.ts';
import { withFileLock } from './lock.ts';
import type { CircuitSpec, CompiledCircuit } from './compile.ts';
import { PtauError } from './errors.ts';
import { verificationKeyFromSnarkjs } from './groth16.ts';
import type { SnarkjsVerificationKeyJson, VerificationKey } from './groth16.ts';
import { readPtauInfo, resolvePtau } from './ptau.ts';
import type { ProgressFn, PtauInfo } from './ptau.ts';

export interface CircuitKeys {
  circuit: CompiledCircuit;
  ptau: PtauInfo;
  zkeyPath: string;
  vkPath: string;
  vk: VerificationKey;
  vkJson: SnarkjsVerificationKeyJson;
}

/** Smallest power of two domain snarkjs needs for Groth16 (constraints + public signals + 1). */
export function requiredPower(constraints: number, publicSignals: number): number {
  const size = constraints + publicSignals + 1;
  let power = 0;
  while (2 ** power < size) power++;
  return power;
}

/** Terminates snarkjs's shared worker threads, so a process that is done with proving can exit. */
export async function releaseSnarkjs(): Promise<void> {
  const holder = globalThis as { curve_bn128?: { terminate(): Promise<void> } | null };
  const curve = holder.curve_bn128;
  if (curve) {
    holder.curve_bn128 = null;
    await curve.terminate();
  }
}

const inFlight = new Map<string, Promise<CircuitKeys>>();

/**
 * Compiles `spec` and runs the Groth16 setup against the shared development ptau (or a generated INSECURE one). The
 * zkey is keyed by the circuit hash and the ptau file, so repeated runs reuse it. The key has no phase-2 contribution:
 * like the development ptau it is for tests and the devnet only.
 */
export interface SetupOptions {
  onProgress?: ProgressFn;
  /** A specific prepared ptau file (e.g. a public ceremony's) instead of the default search. */
  ptauPath?: string;
}

export async function setupCircuit(spec: CircuitSpec, options: SetupOptions = {}): Promise<CircuitKeys> {
  const circuit = await compileCircuit(spec);
  const power = requiredPower(circuit.constraints, spec.publicInputs.length + 1);
  const ptau = options.ptauPath ? readPtauInfo(options.ptauPath) : await resolvePtau(power, options.onProgress);
  if (!ptau.prepared) throw new PtauError(`${ptau.path} is not prepared for phase 2`);
  if (ptau.power < power)
    throw new PtauError(`The circuit needs 2^${power} constraints; ${ptau.path} has 2^${ptau.power}`);
  const ptauTag = createHash('sha256')
    .update(`${ptau.path}:${statSync(ptau.path).size}:${ptau.power}`)
    .digest('hex')
    .slice(0, 12);
  const zkeyPath = join(circuit.dir, `groth16-${ptauTag}.zkey`);
  const vkPath = join(circuit.dir, `groth16-${ptauTag}.vk.json`);
  const key = zkeyPath;
  const pending = inFlight.get(key);
  if (pending) return pending;
  const job = (async (): Promise<CircuitKeys> => {
    if (!existsSync(vkPath)) {
      await withFileLock(`${zkeyPath}.lock`, async () => {
        if (existsSync(vkPath)) return;
        const tmp = `${zkeyPath}.${process.pid}.tmp`;
        await snarkjs.zKey.newZKey(circuit.r1csPath, ptau.path, tmp);
        const vkJson = await snarkjs.zKey.exportVerificationKey(tmp);
        renameSync(tmp, zkeyPath);
        writeFileSync(`${vkPath}.tmp`, JSON.stringify(vkJson, null, 1));
        renameSync(`${vkPath}.tmp`, vkPath);
      });
    }
    const vkJson = JSON.parse(readFileSync(vkPath, 'utf8')) as SnarkjsVerificationKeyJson;
    return { circuit, ptau, zkeyPath, vkPath, vk: verificationKeyFromSnarkjs(vkJson), vkJson };
  })();
  inFlight.set(key, job);
  job.catch(() => inFlight.delete(key));
  return job;
}
