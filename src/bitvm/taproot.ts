import { p2tr, taprootListToTree, TaprootControlBlock, taprootNumsKey } from '@scure/btc-signer';
import { schnorr } from '@noble/curves/secp256k1.js';
import {
  PrecomputedTxData,
  SIGHASH_DEFAULT,
  taprootSighash,
  tapleafHash,
  TAPROOT_LEAF_TAPSCRIPT,
  vsize,
  weight,
  type Transaction,
  type TxOutput,
} from '../bitcoin/index.ts';
import { OP } from './opcodes.ts';
import { ScriptBuilder, analyzeScript, type Fragment } from './script.ts';
import { winternitzVerifyScript } from './winternitz.ts';
import { valueParams, type Computation, type DisproveLeaf } from './game.ts';
import { DisproveGameError } from './errors.ts';

/** A taproot output committing to a list of tapscript leaves. */
export interface TaprootTree {
  readonly outputScript: Uint8Array;
  readonly internalKey: Uint8Array;
  readonly leaves: readonly { readonly script: Uint8Array; readonly controlBlock: Uint8Array }[];
}

/**
 * Builds the output holding `scripts` as tapleaves (balanced tree). The internal key defaults to BIP341's
 * provably unspendable NUMS point, so the output can only be spent through a leaf.
 */
export function taprootTree(scripts: readonly Uint8Array[], internalKey: Uint8Array = taprootNumsKey()): TaprootTree {
  if (scripts.length === 0) throw new DisproveGameError('A taproot tree needs at least one leaf');
  const tree = taprootListToTree(scripts.map((script) => ({ script })));
  const payment = p2tr(internalKey, tree, undefined, true);
  const byScript = new Map<string, Uint8Array>();
  for (const [control, scriptWithVersion] of payment.tapLeafScript ?? []) {
    const script = scriptWithVersion.subarray(0, scriptWithVersion.length - 1);
    byScript.set(toHex(script), TaprootControlBlock.encode(control));
  }
  const leaves = scripts.map((script) => {
    const controlBlock = byScript.get(toHex(script));
    if (!controlBlock) throw new DisproveGameError('Leaf missing from the taproot tree');
    return { script, controlBlock };
  });
  return { outputScript: payment.script, internalKey, leaves };
}

const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** A spendable output: outpoint (txid in internal byte order) and value. */
export interface Prevout {
  readonly txid: Uint8Array;
  readonly vout: number;
  readonly value: bigint;
}

/** A one-input transaction spending `prevout` through leaf `leafIndex` of `tree` with `stack` as the witness. */
export function buildScriptPathSpend(args: {
  prevout: Prevout;
  tree: TaprootTree;
  leafIndex: number;
  stack: readonly Uint8Array[];
  outputs: readonly TxOutput[];
}): Transaction {
  const leaf = args.tree.leaves[args.leafIndex];
  if (!leaf) throw new DisproveGameError('No such leaf', { details: `index ${args.leafIndex}` });
  return {
    version: 2,
    inputs: [
      {
        txid: args.prevout.txid,
        vout: args.prevout.vout,
        scriptSig: new Uint8Array(0),
        sequence: 0xfffffffd,
        witness: [...args.stack, leaf.script, leaf.controlBlock],
      },
    ],
    outputs: [...args.outputs],
    locktime: 0,
  };
}

/** The output holding every disprove leaf of a game. */
export function disproveOutput(leaves: readonly DisproveLeaf[], internalKey?: Uint8Array): TaprootTree {
  return taprootTree(
    leaves.map((leaf) => leaf.script.bytes),
    internalKey,
  );
}

/**
 * The disprove transaction: spends the disprove output through one leaf, with the operator's own Winternitz
 * signatures (taken from the assert transaction) as the witness, and pays `payTo` (the challenger).
 */
export function buildDisproveTransaction(args: {
  prevout: Prevout;
  tree: TaprootTree;
  leaves: readonly DisproveLeaf[];
  leafIndex: number;
  /** Winternitz witness items per committed value, as published by the assert transaction. */
  signatures: ReadonlyMap<string, readonly Uint8Array[]>;
  payTo: Uint8Array;
  fee: bigint;
}): Transaction {
  const leaf = args.leaves[args.leafIndex];
  if (!leaf) throw new DisproveGameError('No such leaf', { details: `index ${args.leafIndex}` });
  const stack = leaf.values.flatMap((name) => {
    const witness = args.signatures.get(name);
    if (!witness) throw new DisproveGameError('Missing signature for a committed value', { details: name });
    return [...witness];
  });
  if (args.fee < 0n || args.fee > args.prevout.value) throw new DisproveGameError('Fee out of range');
  return buildScriptPathSpend({
    prevout: args.prevout,
    tree: args.tree,
    leafIndex: args.leafIndex,
    stack,
    outputs: [{ value: args.prevout.value - args.fee, script: args.payTo }],
  });
}

/** A group of committed values published by one assert input, and the leaf script that checks them. */
export interface CommitGroup {
  readonly values: readonly string[];
  readonly script: Fragment;
  readonly peakStack: number;
}

/**
 * The leaf that publishes committed values: it checks each value's Winternitz signature (so only signatures that
 * verify can be published) and the operator's Schnorr signature (so nobody can rewrite the assert transaction).
 * Witness: operator signature, then the values' Winternitz items in order.
 */
export function commitLeafScript(
  computation: Computation,
  names: readonly string[],
  publicKeys: ReadonlyMap<string, readonly Uint8Array[]>,
  operatorKey: Uint8Array,
): Fragment {
  if (operatorKey.length !== 32) throw new DisproveGameError('Operator key must be a 32-byte x-only key');
  const b = new ScriptBuilder();
  for (let k = names.length - 1; k >= 0; k--) {
    const name = names[k] as string;
    const value = computation.values.find((v) => v.name === name);
    const key = publicKeys.get(name);
    if (!value || !key) throw new DisproveGameError('Unknown committed value', { details: name });
    const params = valueParams(value);
    b.append(winternitzVerifyScript(params, key));
    for (let i = 0; i + 1 < params.messageDigits; i += 2) b.op(OP.OP_2DROP);
    if (params.messageDigits % 2) b.op(OP.OP_DROP);
  }
  b.pushData(operatorKey).op(OP.OP_CHECKSIG);
  return b.build();
}

/** Splits every committed value into assert inputs whose leaves stay within `maxStackItems`. */
export function chunkCommitments(
  computation: Computation,
  publicKeys: ReadonlyMap<string, readonly Uint8Array[]>,
  operatorKey: Uint8Array,
  maxStackItems = 1000,
): CommitGroup[] {
  const groups: CommitGroup[] = [];
  let current: string[] = [];
  let last: CommitGroup | undefined;
  const measure = (names: string[]): CommitGroup => {
    const script = commitLeafScript(computation, names, publicKeys, operatorKey);
    const witnessItems =
      1 +
      names.reduce(
        (n, name) =>
          n + 2 * valueParams(computation.values.find((v) => v.name === name) ?? { name, bytes: 32 }).totalDigits,
        0,
      );
    return { values: names, script, peakStack: witnessItems + analyzeScript(script).peakDepth };
  };
  for (const value of computation.values) {
    const candidate = measure([...current, value.name]);
    if (candidate.peakStack <= maxStackItems) {
      current = [...current, value.name];
      last = candidate;
      continue;
    }
    if (!last) throw new DisproveGameError('One committed value does not fit an assert input', { details: value.name });
    groups.push(last);
    current = [value.name];
    last = measure(current);
  }
  if (last) groups.push(last);
  return groups;
}

/**
 * The assert transaction: one input per commit group (each spending its commit output through its single leaf),
 * one output holding the disprove leaves. Signed by the operator's key.
 */
export function buildAssertTransaction(args: {
  inputs: readonly { prevout: Prevout; tree: TaprootTree; group: CommitGroup }[];
  signatures: ReadonlyMap<string, readonly Uint8Array[]>;
  disprove: { script: Uint8Array; value: bigint };
  operatorSecretKey: Uint8Array;
}): { tx: Transaction; prevouts: TxOutput[] } {
  const tx: Transaction = {
    version: 2,
    inputs: args.inputs.map(({ prevout }) => ({
      txid: prevout.txid,
      vout: prevout.vout,
      scriptSig: new Uint8Array(0),
      sequence: 0xfffffffd,
      witness: [],
    })),
    outputs: [{ value: args.disprove.value, script: args.disprove.script }],
    locktime: 0,
  };
  const prevouts = args.inputs.map(({ prevout, tree }) => ({ value: prevout.value, script: tree.outputScript }));
  const txdata = new PrecomputedTxData(tx, prevouts);
  args.inputs.forEach(({ tree, group }, index) => {
    const leaf = tree.leaves[0];
    if (!leaf) throw new DisproveGameError('Commit output has no leaf');
    const ext = { tapleafHash: tapleafHash(TAPROOT_LEAF_TAPSCRIPT, leaf.script), codeseparatorPos: 0xffffffff };
    const hash = taprootSighash(txdata, index, SIGHASH_DEFAULT, undefined, ext);
    if (!hash) throw new DisproveGameError('Could not compute the signature hash');
    const signature = schnorr.sign(hash, args.operatorSecretKey);
    const wots = group.values.flatMap((name) => {
      const w = args.signatures.get(name);
      if (!w) throw new DisproveGameError('Missing signature for a committed value', { details: name });
      return [...w];
    });
    (tx.inputs[index] as Transaction['inputs'][number]).witness = [signature, ...wots, leaf.script, leaf.controlBlock];
  });
  return { tx, prevouts };
}

/** Size report of a transaction. */
export function txSize(tx: Transaction): { weight: number; vsize: number } {
  return { weight: weight(tx), vsize: vsize(tx) };
}
