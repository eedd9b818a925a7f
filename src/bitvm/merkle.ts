import {
  blake3CompressScript,
  blake3ShortRef,
  wordsFromByteNibbles,
  byteNibblesFromWords,
  BLAKE3_IV,
  BLAKE3_FLAGS,
} from './blake3.ts';
import { type Computation, type ComputationStep } from './game.ts';
import { DisproveGameError } from './errors.ts';

/** A Merkle tree node: BLAKE3(left || right), one 64-byte block. */
export function merkleNode(left: Uint8Array, right: Uint8Array): Uint8Array {
  return blake3ShortRef(concat(left, right));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Bit i of `index` says whether the running hash is the right (1) or left (0) child at level i. */
export function merkleRootFromPath(leaf: Uint8Array, siblings: readonly Uint8Array[], index: number): Uint8Array {
  let node = leaf;
  siblings.forEach((sibling, level) => {
    node = (index >>> level) & 1 ? merkleNode(sibling, node) : merkleNode(node, sibling);
  });
  return node;
}

export const leafName = 'leaf';
export const siblingName = (level: number) => `sibling/${level}`;
/** The running hash after `level` levels (1..depth-1); the last one must equal the public root. */
export const nodeName = (level: number) => `node/${level}`;

export interface MerklePathStatement {
  depth: number;
  /** Leaf position: bit i is the side at level i. */
  index: number;
  root: Uint8Array;
}

function checkStatement(s: MerklePathStatement): void {
  if (!Number.isInteger(s.depth) || s.depth < 1 || s.depth > 32)
    throw new DisproveGameError('Merkle depth must be 1..32', { details: `got ${s.depth}` });
  if (!Number.isInteger(s.index) || s.index < 0 || s.index >= 2 ** s.depth)
    throw new DisproveGameError('Leaf index out of range for the depth', { details: `got ${s.index}` });
  if (!(s.root instanceof Uint8Array) || s.root.length !== 32) throw new DisproveGameError('Root must be 32 bytes');
}

/**
 * "This leaf with these siblings hashes to `root` at `index`", as a computation of `depth` BLAKE3 steps. The operator
 * commits the leaf, every sibling and every intermediate node; the last step's output is the public root.
 */
export function merklePathComputation(statement: MerklePathStatement): Computation {
  checkStatement(statement);
  const { depth, index, root } = statement;
  const values = [
    { name: leafName, bytes: 32 },
    ...Array.from({ length: depth }, (_, i) => ({ name: siblingName(i + 1), bytes: 32 })),
    ...Array.from({ length: depth - 1 }, (_, i) => ({ name: nodeName(i + 1), bytes: 32 })),
  ];
  const steps: ComputationStep[] = [];
  for (let level = 1; level <= depth; level++) {
    const right = ((index >>> (level - 1)) & 1) === 1;
    const current = level === 1 ? leafName : nodeName(level - 1);
    const sibling = siblingName(level);
    steps.push({
      name: `merkle level ${level}`,
      inputs: [current, sibling],
      output: level < depth ? { value: nodeName(level) } : { constant: root.slice() },
      compute: ([node, sib]) =>
        right ? merkleNode(sib as Uint8Array, node as Uint8Array) : merkleNode(node as Uint8Array, sib as Uint8Array),
      emit: (m, [node, sib], keepInputs) => {
        const block = right ? [...(sib ?? []), ...(node ?? [])] : [...(node ?? []), ...(sib ?? [])];
        const flags = BLAKE3_FLAGS.CHUNK_START | BLAKE3_FLAGS.CHUNK_END | BLAKE3_FLAGS.ROOT;
        const out = blake3CompressScript(m, {
          cv: BLAKE3_IV,
          block: wordsFromByteNibbles(block),
          counter: 0,
          blockLen: 64,
          flags,
          keepBlock: keepInputs,
        });
        return byteNibblesFromWords(out);
      },
    });
  }
  return { values, steps };
}

/** The honest values for a Merkle path assertion. */
export function merklePathValues(
  leaf: Uint8Array,
  siblings: readonly Uint8Array[],
  index: number,
): Map<string, Uint8Array> {
  if (leaf.length !== 32 || siblings.some((s) => s.length !== 32))
    throw new DisproveGameError('Leaf and siblings must be 32 bytes');
  const values = new Map<string, Uint8Array>([[leafName, leaf]]);
  let node = leaf;
  siblings.forEach((sibling, i) => {
    values.set(siblingName(i + 1), sibling);
    node = (index >>> i) & 1 ? merkleNode(sibling, node) : merkleNode(node, sibling);
    if (i + 1 < siblings.length) values.set(nodeName(i + 1), node);
  });
  return values;
}
