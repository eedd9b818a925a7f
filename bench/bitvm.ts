// Benchmark of the BitVM toolkit: script sizes, peak stacks and run times on Keel's interpreter, and the
// transaction sizes of a depth-16 BLAKE3 Merkle-path assertion and its disprove spends.
import { schnorr } from '@noble/curves/secp256k1.js';
import { blake3 } from '@noble/hashes/blake3.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { verifyInput, STANDARD_FLAGS, txid } from '../src/bitcoin/index.ts';
import { printTable } from '../src/shared/index.ts';
import {
  NibbleMachine,
  StackTracker,
  blake3ShortFragment,
  blake3CompressFragment,
  blake3CompressRef,
  BLAKE3_FLAGS,
  sha256CompressFragment,
  SHA256_IV,
  wordsFromBytesBE,
  u32ToNibbleItems,
  runFragment,
  merklePathComputation,
  merklePathValues,
  merkleRootFromPath,
  chunkComputation,
  chunkCommitments,
  disproveOutput,
  taprootTree,
  buildAssertTransaction,
  buildDisproveTransaction,
  deriveSecretKey,
  generatePublicKey,
  signUnguarded,
  valueParams,
  nodeName,
  txSize,
  type Fragment,
  type StackInput,
} from '../src/bitvm/index.ts';

function fail(message: string): never {
  console.error(`bench:bitvm check failed: ${message}`);
  process.exit(1);
}

/** Runs once to check the output, then times a few runs. */
function measure(name: string, fragment: Fragment, peak: number, inputs: StackInput[], expected: number[]) {
  const check = runFragment(fragment, inputs);
  if (!check.ok || JSON.stringify(check.numbers) !== JSON.stringify(expected)) fail(`${name} gave a wrong result`);
  const runs = 3;
  const start = performance.now();
  for (let i = 0; i < runs; i++) runFragment(fragment, inputs);
  const ms = (performance.now() - start) / runs;
  return { name, bytes: fragment.size, peak: Math.max(peak, check.maxStackItems), ops: check.opCount, ms };
}

const nibbles = (bytes: Uint8Array) => [...bytes].flatMap((b) => [b >> 4, b & 15]);

// ---- primitives -------------------------------------------------------------------------------------------------
const blockInput = Uint8Array.from({ length: 64 }, (_, i) => (i * 29 + 7) & 255);
const blake = blake3ShortFragment(64);
const blakeHashRow = measure(
  'BLAKE3 of 64 bytes (IV as constants)',
  blake.fragment,
  blake.peakStack,
  nibbles(blockInput),
  nibbles(blake3(blockInput)),
);

const cvWords = Array.from({ length: 8 }, (_, i) => (0x9e3779b9 * (i + 1)) >>> 0);
const blockWords = Array.from({ length: 16 }, (_, i) => (0x85ebca6b * (i + 3)) >>> 0);
const flags = BLAKE3_FLAGS.CHUNK_START | BLAKE3_FLAGS.CHUNK_END;
const compress = blake3CompressFragment(0, 64, flags);
const blakeRow = measure(
  'BLAKE3 compression (cv on the stack)',
  compress.fragment,
  compress.peakStack,
  [...cvWords, ...blockWords].flatMap(u32ToNibbleItems),
  blake3CompressRef(cvWords, blockWords, 0, 64, flags).slice(0, 8).flatMap(u32ToNibbleItems),
);

const message = Uint8Array.from({ length: 40 }, (_, i) => i * 3);
const block = new Uint8Array(64);
block.set(message);
block[40] = 0x80;
block[62] = 0x01;
block[63] = 0x40;
const sha = sha256CompressFragment();
const shaRow = measure(
  'SHA-256 compression',
  sha.fragment,
  sha.peakStack,
  [...SHA256_IV, ...wordsFromBytesBE(block)].flatMap(u32ToNibbleItems),
  wordsFromBytesBE(sha256(message)).flatMap(u32ToNibbleItems),
);

const addTracker = new StackTracker();
const addMachine = new NibbleMachine(addTracker);
const [a, b] = [addTracker.inputs(8), addTracker.inputs(8)];
addTracker.keepOnly(addMachine.add(a, b));
const addRow = measure(
  'u32 add',
  addTracker.build(),
  addTracker.peak,
  [...u32ToNibbleItems(0xdeadbeef), ...u32ToNibbleItems(0x89abcdef)],
  u32ToNibbleItems((0xdeadbeef + 0x89abcdef) >>> 0),
);

printTable(
  ['script', 'bytes', 'peak stack', 'opcodes run', 'run ms'],
  [blakeRow, blakeHashRow, shaRow, addRow].map((r) => [r.name, r.bytes, r.peak, r.ops, r.ms.toFixed(1)]),
);
console.log();

// ---- depth-16 Merkle assertion ------------------------------------------------------------------------------------
const DEPTH = 16;
const INDEX = 0xa5c3;
const bytes32 = (seed: number) => Uint8Array.from({ length: 32 }, (_, i) => (i * 53 + seed * 17) & 255);
const leafValue = bytes32(0);
const siblings = Array.from({ length: DEPTH }, (_, i) => bytes32(i + 1));
const root = merkleRootFromPath(leafValue, siblings, INDEX);
const computation = merklePathComputation({ depth: DEPTH, index: INDEX, root });
const seed = new Uint8Array(32).fill(9);
const secretKeys = new Map(computation.values.map((v) => [v.name, deriveSecretKey(seed, v.name)]));
const publicKeys = new Map(
  computation.values.map((v) => [v.name, generatePublicKey(valueParams(v), secretKeys.get(v.name) as Uint8Array)]),
);
const honest = merklePathValues(leafValue, siblings, INDEX);
const sign = (values: Map<string, Uint8Array>) =>
  new Map(
    computation.values.map((v) => [
      v.name,
      signUnguarded(valueParams(v), secretKeys.get(v.name) as Uint8Array, values.get(v.name) as Uint8Array),
    ]),
  );
const signatures = sign(honest);

const chunkStart = performance.now();
const leaves = chunkComputation(computation, publicKeys);
const chunkMs = performance.now() - chunkStart;
const tree = disproveOutput(leaves);

const operatorSecret = new Uint8Array(32).fill(3);
const groups = chunkCommitments(computation, publicKeys, schnorr.getPublicKey(operatorSecret));
const inputs = groups.map((group, vout) => ({
  prevout: { txid: new Uint8Array(32).fill(1), vout, value: 20_000n },
  tree: taprootTree([group.script.bytes]),
  group,
}));
const assert = buildAssertTransaction({
  inputs,
  signatures,
  disprove: { script: tree.outputScript, value: 50_000n },
  operatorSecretKey: operatorSecret,
});
assert.tx.inputs.forEach((_, index) =>
  verifyInput({ tx: assert.tx, index, prevouts: assert.prevouts, flags: STANDARD_FLAGS }),
);
const assertSize = txSize(assert.tx);
if (assertSize.weight > 400_000) fail('assert transaction is over 400,000 WU');

// Check before reporting: a corrupted node is disproven by its step's leaf, the honest assertion by none.
const prevout = { txid: txid(assert.tx), vout: 0, value: 50_000n };
const prevouts = [{ value: 50_000n, script: tree.outputScript }];
const payTo = Uint8Array.from([0x51, 0x20, ...new Uint8Array(32).fill(2)]);
const corrupted = new Map(honest);
const node = (corrupted.get(nodeName(8)) as Uint8Array).slice();
node[0] = (node[0] as number) ^ 1;
corrupted.set(nodeName(8), node);
const badSignatures = sign(corrupted);
const disprove = (sigs: Map<string, Uint8Array[]>, leafIndex: number) =>
  buildDisproveTransaction({ prevout, tree, leaves, leafIndex, signatures: sigs, payTo, fee: 10_000n });
const verifies = (tx: ReturnType<typeof disprove>) => {
  try {
    verifyInput({ tx, index: 0, prevouts, flags: STANDARD_FLAGS });
    return true;
  } catch {
    return false;
  }
};
if (
  !verifies(
    disprove(
      badSignatures,
      leaves.findIndex((l) => l.steps.includes(7)),
    ),
  )
)
  fail('corrupted node not disproven');
if (verifies(disprove(signatures, 0))) fail('honest assertion disproven');

const leafRows = leaves.map((leaf, i) => {
  const size = txSize(disprove(badSignatures, i));
  return { leaf, i, size };
});
const maxDisprove = Math.max(...leafRows.map((r) => r.size.vsize));
const largestLeaf = Math.max(...leaves.map((l) => l.script.size));
printTable(
  ['disprove leaf', 'steps', 'script bytes', 'witness items', 'peak stack', 'tx vB', 'tx WU'],
  leafRows.map(({ leaf, i, size }) => [
    i,
    leaf.steps.map((s) => s + 1).join(','),
    leaf.script.size,
    leaf.witnessItems,
    leaf.peakStack,
    size.vsize,
    size.weight,
  ]),
);
console.log();
printTable(
  ['depth-16 Merkle assertion', 'value'],
  [
    ['Winternitz-committed values', computation.values.length],
    ['assert inputs (values per input)', `${groups.length} (${groups.map((g) => g.values.length).join('/')})`],
    ['assert tx vB / WU', `${assertSize.vsize} / ${assertSize.weight}`],
    ['disprove leaves', leaves.length],
    ['largest leaf (bytes)', largestLeaf],
    ['largest disprove tx (vB)', maxDisprove],
    ['chunking time (ms)', chunkMs.toFixed(0)],
  ],
);
console.log(
  JSON.stringify({
    bench: 'bitvm',
    blake3_script_bytes: blakeRow.bytes,
    sha256_script_bytes: shaRow.bytes,
    u32_add_script_bytes: addRow.bytes,
    committed_values: computation.values.length,
    assert_vb: assertSize.vsize,
    disprove_leaves: leaves.length,
    largest_leaf_bytes: largestLeaf,
    max_disprove_vb: maxDisprove,
  }),
);
