import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decodeL1Item, publicInput, queueChainOver } from '../../rollup/index.ts';
import type { BatchOutput, L1Item } from '../../rollup/index.ts';
import { PROOF_BYTES, verificationKeyFromSnarkjs, verifyBatchProof } from '../../snark/index.ts';
import type { SnarkjsVerificationKeyJson, VerificationKey } from '../../snark/index.ts';
import { KeelRpcError } from '../../sdk/index.ts';
import type { BatchJson, BatchProofEntryJson, BatchProofJson } from '../../sdk/index.ts';
import { SNARK_KEY_FORMAT, STARK_KEY_FORMAT, starkPublicInputs, verifyBatchStark } from '../../node/index.ts';
import { CliError, parseOptions, type Command } from '../registry.ts';
import { COMMON_SPEC, COMMON_USAGE, client, resolveCommon } from './common.ts';

const USAGE = `keel verify-batch <n> [--vk FILE] [options]

Fetches batch n and its proofs from the node and checks them here: the public input is recomputed from the batch
output, then each proof is verified with its key. Prints ✔/✖ per proof system; exits 0 only if every proof the node
serves verifies.
  --vk FILE        check the SNARK proof against this snarkjs verification key (JSON) instead of the served one
${COMMON_USAGE}`;

export type Verdict = { system: string; ok: boolean; reason: string };

const field = (hex: string, what: string): bigint => {
  if (!/^0x[0-9a-f]{1,64}$/.test(hex)) throw new CliError(`the node sent a malformed ${what}: ${hex}`);
  return BigInt(hex);
};

const bytes = (hex: string, what: string): Uint8Array => {
  if (!/^([0-9a-f]{2})*$/.test(hex)) throw new CliError(`the node sent a malformed ${what}`);
  return Uint8Array.from(Buffer.from(hex, 'hex'));
};

/** The batch output as the rollup types it, from its JSON (protocol §7.3). */
export function batchOutputFromJson(b: BatchJson): BatchOutput {
  const partial: Omit<BatchOutput, 'publicInput'> = {
    batchNumber: b.batchNumber,
    chainId: b.chainId,
    firstBlock: b.firstBlock,
    lastBlock: b.lastBlock,
    oldRoots: b.oldRoots.map((r) => field(r, 'old root')),
    newRoots: b.newRoots.map((r) => field(r, 'new root')),
    dataDigest: field(b.dataDigest, 'data digest'),
    withdrawalRoot: field(b.withdrawalRoot, 'withdrawal root'),
    withdrawals: b.withdrawals.map((w) => ({ script: bytes(w.script, 'withdrawal script'), amount: BigInt(w.amount) })),
    queueStart: b.queueStart,
    queueEnd: b.queueEnd,
    queueHashStart: field(b.queueHashStart, 'queue hash'),
    queueHashEnd: field(b.queueHashEnd, 'queue hash'),
    data: bytes(b.data, 'data'),
  };
  // Recomputed, never taken from the node: this is what the proofs are checked against.
  return { ...partial, publicInput: publicInput(partial) };
}

/** The batch's SNARK public input, recomputed from the fields the batch output commits to (protocol §7.3). */
export function recomputePublicInput(b: BatchJson): bigint {
  return batchOutputFromJson(b).publicInput;
}

function keyFingerprint(vk: VerificationKey): string {
  const text = JSON.stringify([vk.alpha, vk.beta, vk.gamma, vk.delta, vk.ic], (_k, v: unknown) =>
    typeof v === 'bigint' ? v.toString() : v,
  );
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function checkSnark(entry: BatchProofEntryJson, expected: bigint, localKey?: VerificationKey): Verdict {
  const fail = (reason: string): Verdict => ({ system: 'snark', ok: false, reason });
  let vk = localKey;
  if (!vk) {
    if (entry.key.format !== SNARK_KEY_FORMAT) return fail(`unknown key format ${String(entry.key.format)}`);
    try {
      vk = verificationKeyFromSnarkjs(entry.key['verificationKey'] as SnarkjsVerificationKeyJson);
    } catch (err) {
      return fail(`the served verification key is malformed (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  if (!/^0x[0-9a-f]{1,64}$/.test(entry.publicInput) || BigInt(entry.publicInput) !== expected)
    return fail(`the proof is for public input ${entry.publicInput}, not the batch's`);
  if (!/^([0-9a-f]{2})*$/.test(entry.proof)) return fail('the proof is not hex');
  const proof = Uint8Array.from(Buffer.from(entry.proof, 'hex'));
  if (proof.length !== PROOF_BYTES) return fail(`the proof is ${proof.length} bytes, not ${PROOF_BYTES}`);
  const source = localKey ? 'local key' : 'served key';
  if (!verifyBatchProof(vk, expected, proof))
    return fail(`Groth16 proof does not verify (${source} ${keyFingerprint(vk)})`);
  return { system: 'snark', ok: true, reason: `Groth16 proof verifies (${source} ${keyFingerprint(vk)})` };
}

/**
 * The served L1 items, accepted only if they are exactly the batch's: their hash chain must lead from the batch's
 * queueHashStart to its queueHashEnd, one item per consumed queue index.
 */
function consumedItems(batch: BatchJson, served: readonly string[]): L1Item[] | string {
  if (served.length !== batch.queueEnd - batch.queueStart)
    return `the node sent ${served.length} L1 items for ${batch.queueEnd - batch.queueStart} consumed`;
  const items: L1Item[] = [];
  for (const hex of served) {
    let item: L1Item;
    try {
      item = decodeL1Item(bytes(hex, 'L1 item'));
    } catch {
      return 'the node sent an L1 item that does not decode';
    }
    items.push(item);
  }
  return queueChainOver(field(batch.queueHashStart, 'queue hash'), items) === field(batch.queueHashEnd, 'queue hash')
    ? items
    : "the served L1 items are not the batch's queue range";
}

/** The STARK: public inputs rebuilt from the batch output and its L1 items, then the batch AIR's verifier. */
function checkStark(entry: BatchProofEntryJson, batch: BatchJson, served: BatchProofJson, expected: bigint): Verdict {
  const fail = (reason: string): Verdict => ({ system: 'stark', ok: false, reason });
  if (entry.key.format !== STARK_KEY_FORMAT) return fail(`unknown key format ${String(entry.key.format)}`);
  const depth = entry.key['depth'];
  const minSecurityBits = entry.key['minSecurityBits'];
  if (typeof depth !== 'number' || typeof minSecurityBits !== 'number')
    return fail('the served STARK parameters are malformed');
  if (!/^0x[0-9a-f]{1,64}$/.test(entry.publicInput) || BigInt(entry.publicInput) !== expected)
    return fail(`the proof is for public input ${entry.publicInput}, not the batch's`);
  const items = consumedItems(batch, served.l1Items ?? []);
  if (typeof items === 'string') return fail(items);
  let inputs;
  try {
    inputs = starkPublicInputs(batchOutputFromJson(batch), { depth, l1Items: items });
  } catch (err) {
    return fail(
      `the batch's STARK public inputs cannot be built (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  if (!/^([0-9a-f]{2})*$/.test(entry.proof)) return fail('the proof is not hex');
  const verdict = verifyBatchStark(Uint8Array.from(Buffer.from(entry.proof, 'hex')), inputs, { minSecurityBits });
  return verdict.ok
    ? { system: 'stark', ok: true, reason: `batch STARK verifies (${verdict.securityBits} bits conjectured security)` }
    : fail(`batch STARK does not verify (${verdict.error ?? 'rejected'})`);
}

/** Checks every served proof of a batch locally; the exit code is 0 only if each one verifies. */
export function verifyBatchLocally(batch: BatchJson, proofs: BatchProofJson, localKey?: VerificationKey): Verdict[] {
  const expected = recomputePublicInput(batch);
  const verdicts: Verdict[] = [];
  const served = field(proofs.publicInput, 'public input');
  verdicts.push(
    served === expected && field(batch.publicInput, 'public input') === expected
      ? { system: 'input', ok: true, reason: `public input ${proofs.publicInput} recomputed from the batch output` }
      : {
          system: 'input',
          ok: false,
          reason: `the served public input ${proofs.publicInput} is not the batch output's 0x${expected.toString(16)}`,
        },
  );
  for (const entry of proofs.proofs)
    verdicts.push(
      entry.system === 'snark' ? checkSnark(entry, expected, localKey) : checkStark(entry, batch, proofs, expected),
    );
  return verdicts;
}

function readKey(path: string): VerificationKey {
  try {
    return verificationKeyFromSnarkjs(JSON.parse(readFileSync(path, 'utf8')) as SnarkjsVerificationKeyJson);
  } catch (cause) {
    throw new CliError(`--vk ${path} is not a snarkjs Groth16 verification key`, { cause });
  }
}

export const verifyBatchCommand: Command = {
  name: 'verify-batch',
  summary: "check a batch's SNARK/STARK proofs locally against its public input",
  usage: USAGE,
  async run(args) {
    const [n, ...rest] = args;
    if (!n || !/^\d{1,15}$/.test(n) || Number(n) < 1)
      throw new CliError('keel verify-batch needs a batch number (1, 2, …)');
    const opts = parseOptions(rest, { ...COMMON_SPEC, vk: 'value' });
    const localKey = typeof opts.vk === 'string' ? readKey(opts.vk) : undefined;
    const keel = client(resolveCommon(opts));
    const number = Number(n);
    const batch = await keel.getBatch(number);
    if (!batch) {
      console.log(`✖ batch ${number} is unknown to the node (not closed yet, or never)`);
      return 1;
    }
    let proofs: BatchProofJson;
    try {
      proofs = await keel.getBatchProof(number);
    } catch (err) {
      if (err instanceof KeelRpcError && (err.reason === 'PROOF_NOT_READY' || err.reason === 'UNKNOWN_BATCH')) {
        console.log(`✖ batch ${number}: ${err.shortMessage} (status ${batch.status})`);
        return 1;
      }
      throw err;
    }
    console.log(
      `batch ${number} (L2 blocks ${batch.firstBlock}..${batch.lastBlock}), status ${proofs.status}, ` +
        `proofs served: ${proofs.proofs.map((p) => p.system).join(', ')}`,
    );
    const verdicts = verifyBatchLocally(batch, proofs, localKey);
    for (const v of verdicts) console.log(`${v.ok ? '✔' : '✖'} ${v.system.padEnd(6)} ${v.reason}`);
    return verdicts.every((v) => v.ok) ? 0 : 1;
  },
};
