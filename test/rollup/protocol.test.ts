// docs/protocol.md restated independently with circomlibjs's Poseidon: every formula the circuits re-implement
// (signed messages, L1 item hashes and chain, withdrawal leaves, data digest, public input) matches the code.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { buildPoseidon } from 'circomlibjs';
import {
  L1Queue,
  dataDigest,
  digestElements,
  forcedExitMessage,
  l1ItemHash,
  publicInput,
  transferMessage,
  withdrawMessage,
  withdrawalLeaf,
  withdrawalRoot,
} from '../../src/rollup/index.ts';
import type { BatchOutput, DaOp, DepositItem, ForcedExitItem } from '../../src/rollup/index.ts';

let H: (xs: bigint[]) => bigint;
const be = (b: Uint8Array): bigint => (b.length ? BigInt('0x' + Buffer.from(b).toString('hex')) : 0n);
const script = Uint8Array.from({ length: 34 }, (_, i) => (i * 7 + 3) & 0xff);
const w0 = be(Uint8Array.from([...script, ...new Array<number>(28).fill(0)].slice(0, 31)));
const w1 = be(Uint8Array.from([...script, ...new Array<number>(28).fill(0)].slice(31, 62)));
const txid = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
const [hi, lo] = [be(txid.subarray(0, 16)), be(txid.subarray(16))];
const sig = { R8: { x: 11n, y: 12n }, S: 13n };

describe('protocol formulas (docs/protocol.md)', () => {
  before(async () => {
    const p = await buildPoseidon();
    H = (xs) => BigInt(p.F.toString(p(xs)));
  });
  it('§4.1 script packing and §4.2–4.4 signed messages', () => {
    const t = { from: 5, to: 9, amount: 1234n, fee: 56n, nonce: 7 };
    assert.equal(
      transferMessage(t, 3),
      1n + 3n * 2n ** 4n + 5n * 2n ** 20n + 9n * 2n ** 52n + 7n * 2n ** 84n + 1234n * 2n ** 116n + 56n * 2n ** 180n,
    );
    const w = { from: 5, script, amount: 1234n, fee: 56n, nonce: 7 };
    const head =
      2n + 3n * 2n ** 4n + 5n * 2n ** 20n + 7n * 2n ** 52n + 1234n * 2n ** 84n + 56n * 2n ** 148n + 34n * 2n ** 212n;
    assert.equal(withdrawMessage(w, 3), H([head, w0, w1]));
    assert.equal(
      forcedExitMessage({ account: 5, nonce: 7, script }, 3),
      H([3n + 3n * 2n ** 4n + 5n * 2n ** 20n + 7n * 2n ** 52n + 34n * 2n ** 84n, w0, w1]),
    );
  });
  it('§5.1 L1 item hashes and the queue chain', () => {
    const d: DepositItem = { type: 'deposit', txid, vout: 2, l1Height: 300, pubKey: { x: 21n, y: 22n }, amount: 5000n };
    const f: ForcedExitItem = { type: 'forcedExit', txid, vout: 1, l1Height: 301, account: 4, nonce: 2, script, sig };
    const qd = H([1n + 2n * 2n ** 4n + 300n * 2n ** 36n + 5000n * 2n ** 68n, hi, lo, 21n, 22n]);
    const qf = H([
      2n + 1n * 2n ** 4n + 301n * 2n ** 36n + 4n * 2n ** 68n + 2n * 2n ** 100n + 34n * 2n ** 132n,
      hi,
      lo,
      w0,
      w1,
      11n,
      12n,
      13n,
    ]);
    assert.equal(l1ItemHash(d), qd);
    assert.equal(l1ItemHash(f), qf);
    const q = new L1Queue();
    q.push(d);
    q.push(f);
    assert.equal(q.chainAt(0), 0n);
    assert.equal(q.chainAt(2), H([H([0n, qd]), qf]));
  });
  it('§6 withdrawal leaves and tree', () => {
    const a = { script, amount: 777n };
    const b = { script: script.subarray(0, 22), amount: 1n };
    const la = H([w0, w1, 777n + 34n * 2n ** 64n]);
    assert.equal(withdrawalLeaf(a), la);
    const lb = withdrawalLeaf(b);
    const z1 = H([0n, 0n]);
    assert.equal(withdrawalRoot([a, b], 2), H([H([la, lb]), z1]));
    assert.equal(withdrawalRoot([], 2), H([z1, z1]));
  });
  it('§7.2 data digest and §7.3 public input', () => {
    const ops: DaOp[] = [
      { kind: 'transfer', from: 1, to: 2, amount: 30n, fee: 4n },
      { kind: 'withdraw', from: 1, amount: 9n, fee: 1n, script },
      { kind: 'deposit', index: 6 },
      { kind: 'forcedExit', applied: true },
    ];
    const e = [
      [1n + 1n * 2n ** 4n + 2n * 2n ** 36n + 30n * 2n ** 68n + 4n * 2n ** 132n, 0n, 0n],
      [2n + 1n * 2n ** 4n + 9n * 2n ** 36n + 1n * 2n ** 100n + 34n * 2n ** 164n, w0, w1],
      [3n + 6n * 2n ** 4n, 0n, 0n],
      [4n + 2n ** 4n, 0n, 0n],
    ];
    ops.forEach((op, i) => assert.deepEqual(digestElements(op), e[i]));
    let d = 0n;
    for (const x of e) d = H([d, ...x]);
    assert.equal(dataDigest(ops), d);
    const b = {
      batchNumber: 4,
      chainId: 3,
      oldRoots: [101n],
      newRoots: [102n],
      dataDigest: d,
      withdrawalRoot: 103n,
      queueStart: 5,
      queueEnd: 8,
      queueHashStart: 104n,
      queueHashEnd: 105n,
    } as Omit<BatchOutput, 'publicInput'>;
    assert.equal(
      publicInput(b),
      H([101n, 102n, d, 103n, 104n, 105n, 4n + 5n * 2n ** 64n + 8n * 2n ** 128n + 3n * 2n ** 192n]),
    );
  });
});
