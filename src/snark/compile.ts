// Drives the circom 2 compiler (the `circom2` npm package: circom compiled to WebAssembly) and caches its output by the
// content hash of everything that can change it.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { CircuitCompileError } from './errors.ts';
import { withFileLock } from './lock.ts';
import { CIRCUITS_DIR, CIRCUIT_CACHE_DIR, REPO_ROOT } from './paths.ts';

const require = createRequire(import.meta.url);

export interface CircuitSpec {
  /** Name of the artifacts (letters, digits, underscore). */
  name: string;
  /** Path of the file under circuits/ that defines the template. */
  include: string;
  /** Template name and its parameters, e.g. `Batch` with [4, 20]. */
  template: string;
  params: readonly number[];
  /** Public input signal names of the main component. */
  publicInputs: readonly string[];
}

export interface CompiledCircuit {
  spec: CircuitSpec;
  hash: string;
  dir: string;
  r1csPath: string;
  wasmPath: string;
  symPath: string;
  /** Constraints after --O2, as circom reports them. */
  constraints: number;
  wires: number;
  /** The `--inspect` warnings, verbatim. */
  warnings: string[];
}

/** Project circuit files `source` includes, transitively (circomlib is covered by its version). */
function includedSources(source: string, from: string, seen = new Set<string>()): string[] {
  for (const match of source.matchAll(/^\s*include\s+"([^"]+)"\s*;/gm)) {
    const name = match[1]!;
    const candidates = [join(from, name), join(CIRCUITS_DIR, name)];
    const path = candidates.find((c) => existsSync(c) && c.startsWith(CIRCUITS_DIR));
    if (!path || seen.has(path)) continue;
    seen.add(path);
    includedSources(readFileSync(path, 'utf8'), dirname(path), seen);
  }
  return [...seen].sort();
}

function packageVersion(name: string): string {
  return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
}

export function mainSource(spec: CircuitSpec): string {
  const pub = spec.publicInputs.length ? ` {public [${spec.publicInputs.join(', ')}]}` : '';
  return [
    'pragma circom 2.1.0;',
    `include "${spec.include}";`,
    `component main${pub} = ${spec.template}(${spec.params.join(', ')});`,
    '',
  ].join('\n');
}

/** Hash of the main file, every project circuit file it includes, the compiler and circomlib versions and the flags. */
export function circuitHash(spec: CircuitSpec): string {
  const h = createHash('sha256');
  h.update(`circom2@${packageVersion('circom2')} circomlib@${packageVersion('circomlib')} --O2 --inspect\n`);
  const main = mainSource(spec);
  h.update(main);
  for (const path of includedSources(main, CIRCUITS_DIR)) {
    h.update(`\n--- ${relative(CIRCUITS_DIR, path)}\n`);
    h.update(readFileSync(path));
  }
  return h.digest('hex').slice(0, 24);
}

function runCompiler(args: string[]): Promise<{ code: number; output: string }> {
  const cli = require.resolve('circom2/cli.js');
  return new Promise((resolve, reject) => {
    // The WASI sandbox only opens paths below the working directory, hence cwd = repository root, relative paths.
    const child = spawn(process.execPath, [cli, ...args], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

const stripAnsi = (text: string): string => text.replace(/\x1b\[[0-9;]*m/g, '');

interface CompileSummary {
  constraints: number;
  wires: number;
  warnings: string[];
}

function parseOutput(output: string): CompileSummary {
  const clean = stripAnsi(output);
  const number = (label: string): number => {
    const m = new RegExp(`^${label}:\\s*(\\d+)`, 'm').exec(clean);
    return m ? Number(m[1]) : 0;
  };
  const warnings: string[] = [];
  const lines = clean.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (/^warning\[/.test(lines[i]!.trim())) {
      const block = [lines[i]!];
      for (
        let j = i + 1;
        j < lines.length && lines[j]!.trim() !== '' && !/^(warning|error)\[/.test(lines[j]!.trim());
        j++
      ) {
        block.push(lines[j]!);
      }
      warnings.push(block.join('\n'));
    }
  }
  return {
    constraints: number('non-linear constraints') + number('linear constraints'),
    wires: number('wires'),
    warnings,
  };
}

// Distinct from every source name, so the main file never shadows the file it includes.
const MAIN = 'keel_main';

const inFlight = new Map<string, Promise<CompiledCircuit>>();

/** Compiles a circuit with --O2 --inspect into build/circuits/<hash>/, or returns the cached result. */
export function compileCircuit(spec: CircuitSpec): Promise<CompiledCircuit> {
  if (!/^[A-Za-z0-9_]+$/.test(spec.name)) throw new CircuitCompileError(`Invalid circuit name "${spec.name}"`);
  const hash = circuitHash(spec);
  const pending = inFlight.get(hash);
  if (pending) return pending;
  const job = compileUncached(spec, hash);
  inFlight.set(hash, job);
  job.catch(() => inFlight.delete(hash));
  return job;
}

async function compileUncached(spec: CircuitSpec, hash: string): Promise<CompiledCircuit> {
  // Keyed by content alone: the same circuit under another name is the same artifact.
  const dir = join(CIRCUIT_CACHE_DIR, hash);
  const result = (summary: CompileSummary): CompiledCircuit => ({
    spec,
    hash,
    dir,
    r1csPath: join(dir, `${MAIN}.r1cs`),
    wasmPath: join(dir, `${MAIN}_js`, `${MAIN}.wasm`),
    symPath: join(dir, `${MAIN}.sym`),
    ...summary,
  });
  const summaryPath = join(dir, 'compile.json');
  const cached = (): CompiledCircuit | undefined =>
    existsSync(summaryPath) ? result(JSON.parse(readFileSync(summaryPath, 'utf8')) as CompileSummary) : undefined;
  const hit = cached();
  if (hit) return hit;
  mkdirSync(CIRCUIT_CACHE_DIR, { recursive: true });
  return withFileLock(`${dir}.lock`, async () => cached() ?? (await compileInto(spec, dir, result)));
}

async function compileInto(
  spec: CircuitSpec,
  dir: string,
  result: (summary: CompileSummary) => CompiledCircuit,
): Promise<CompiledCircuit> {
  // Compile into a private folder and rename at the end so concurrent runs never see half-written artifacts.
  const work = `${dir}.${process.pid}.tmp`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const mainPath = join(work, `${MAIN}.circom`);
  writeFileSync(mainPath, mainSource(spec));
  const { code, output } = await runCompiler([
    relative(REPO_ROOT, mainPath),
    '--r1cs',
    '--wasm',
    '--sym',
    '--O2',
    '--inspect',
    '-l',
    relative(REPO_ROOT, CIRCUITS_DIR),
    '-l',
    'node_modules',
    '-o',
    relative(REPO_ROOT, work),
  ]);
  writeFileSync(join(work, 'compile.log'), output);
  if (code !== 0 || /previous errors were found/.test(output)) {
    rmSync(work, { recursive: true, force: true });
    throw new CircuitCompileError(`circom failed to compile ${spec.name}`, { details: stripAnsi(output).slice(-4000) });
  }
  const summary = parseOutput(output);
  writeFileSync(join(work, 'compile.json'), JSON.stringify(summary, null, 2));
  if (existsSync(dir)) rmSync(work, { recursive: true, force: true });
  else renameSync(work, dir);
  return result(summary);
}
