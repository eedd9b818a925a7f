/**
 * The base-field twin of the batch AIR's non-Poseidon constraints, for the prover's hot loop (the generic version
 * costs ~70 µs a row through the Algebra interface; this one a few). Same constraints, same order as `air.ts`;
 * test/stark/batch-air.test.ts checks the two agree on random rows.
 */
import * as fieldModule from '../field.ts';
// Local bindings: the loader compiles imported bindings to getters, which cost a call per use in hot loops.
const { P, add, mul, sub } = fieldModule;
import { EMPTY_KEY_DIGEST } from './account.ts';
import * as layoutModule from './layout.ts';
// Local bindings (see above): each `X` would be a getter call per use.
const {
  AMOUNT,
  BAL_BITS,
  BLOCK_A,
  BLOCK_B,
  CARRY0,
  CARRY1,
  CONSTS,
  DATA,
  DIR,
  EXTRA,
  FEE,
  FLAGS,
  FRESH,
  IDX,
  INV,
  NEW_BAL,
  NEW_KEY,
  NEW_NONCE,
  NONCE_BITS,
  NONCE_CARRY,
  OLD_BAL,
  OLD_KEY,
  OLD_NONCE,
  OUT,
  PER_D1,
  PER_D2,
  PER_LEAF,
  PER_NOT_END,
  PER_ROOT,
  PER_TO_PATH,
  PER_WEIGHT,
  ROOT,
  SIB,
  WDR,
  WIDTH,
} = layoutModule;

const TWO21 = 1 << 21;
const TWO16 = 1 << 16;
const E = Array.from(EMPTY_KEY_DIGEST);
const F_TS = FLAGS;
const F_WS = FLAGS + 1;
const F_DEP = FLAGS + 2;
const F_FX = FLAGS + 3;
const F_RECV = FLAGS + 4;
const F_FEE = FLAGS + 5;
const F_PAD = FLAGS + 6;
const A_OUT = BLOCK_A + OUT;
const B_OUT = BLOCK_B + OUT;
const x = [0, 0, 0];

const bool = (v: number): number => mul(v, v === 0 ? P - 1 : v - 1);

export function rowConstraintsBase(c: Uint32Array, per: Uint32Array, out: Uint32Array, start: number): number {
  let o = start;
  let sum = 0;
  for (let i = 0; i < 7; i++) {
    out[o++] = bool(c[FLAGS + i]!);
    sum = add(sum, c[FLAGS + i]!);
  }
  out[o++] = sub(sum, 1);
  out[o++] = bool(c[FRESH]!);
  out[o++] = bool(c[DIR]!);
  for (let i = 0; i < 79; i++) out[o++] = bool(c[BAL_BITS + i]!);
  for (let limb = 0; limb < 3; limb++) {
    let acc = 0;
    for (let j = 20; j >= 0; j--) acc = add(add(acc, acc), c[BAL_BITS + 21 * limb + j]!);
    out[o++] = sub(c[NEW_BAL + limb]!, acc);
  }
  {
    let acc = 0;
    for (let j = 15; j >= 0; j--) acc = add(add(acc, acc), c[NONCE_BITS + j]!);
    out[o++] = sub(c[NEW_NONCE]!, acc);
  }
  const debit = add(add(c[F_TS]!, c[F_WS]!), c[F_FX]!);
  const payFee = add(c[F_TS]!, c[F_WS]!);
  const credit = add(add(c[F_RECV]!, c[F_DEP]!), c[F_FEE]!);
  for (let limb = 0; limb < 3; limb++) {
    const amt = c[AMOUNT + limb]!;
    x[limb] = sub(
      add(add(c[NEW_BAL + limb]!, mul(debit, amt)), mul(payFee, c[FEE + limb]!)),
      add(c[OLD_BAL + limb]!, mul(credit, amt)),
    );
  }
  const c0 = c[CARRY0]!;
  const c1 = c[CARRY1]!;
  out[o++] = sub(x[0]!, mul(c0, TWO21));
  out[o++] = sub(add(x[1]!, c0), mul(c1, TWO21));
  out[o++] = add(x[2]!, c1);
  out[o++] = mul(mul(add(c0, 1), c0), mul(sub(c0, 1), sub(c0, 2)));
  out[o++] = mul(mul(add(c1, 1), c1), mul(sub(c1, 1), sub(c1, 2)));
  const nc = c[NONCE_CARRY]!;
  out[o++] = add(sub(sub(c[NEW_NONCE]!, c[OLD_NONCE]!), debit), mul(nc, TWO16));
  out[o++] = bool(nc);
  out[o++] = sub(sub(c[NEW_NONCE + 1]!, c[OLD_NONCE + 1]!), nc);
  for (let limb = 0; limb < 3; limb++) out[o++] = mul(c[F_FX]!, c[NEW_BAL + limb]!);
  const dep = c[F_DEP]!;
  const notDep = sub(1, dep);
  const fresh = c[FRESH]!;
  for (let i = 0; i < 8; i++) out[o++] = mul(notDep, sub(c[NEW_KEY + i]!, c[OLD_KEY + i]!));
  for (let i = 0; i < 8; i++) {
    const nk = c[NEW_KEY + i]!;
    out[o++] = mul(dep, sub(sub(c[OLD_KEY + i]!, nk), mul(fresh, sub(E[i]!, nk))));
  }
  for (let limb = 0; limb < 3; limb++) out[o++] = mul(fresh, c[OLD_BAL + limb]!);
  out[o++] = mul(fresh, c[OLD_NONCE]!);
  out[o++] = mul(fresh, c[OLD_NONCE + 1]!);
  out[o++] = mul(fresh, notDep);
  const mustExist = add(add(c[F_TS]!, c[F_WS]!), add(c[F_RECV]!, c[F_FX]!));
  out[o++] = mul(mustExist, sub(mul(sub(c[OLD_KEY]!, E[0]!), c[INV]!), 1));
  const noExtra = add(add(c[F_TS]!, c[F_RECV]!), add(c[F_FEE]!, c[F_PAD]!));
  for (let i = 0; i < 8; i++) out[o++] = mul(noExtra, c[EXTRA + i]!);
  for (let i = 0; i < 8; i++) out[o++] = mul(dep, sub(c[EXTRA + i]!, c[NEW_KEY + i]!));
  const pLeaf = per[PER_LEAF]!;
  o = leafInputs(c, pLeaf, BLOCK_A, OLD_KEY, OLD_BAL, OLD_NONCE, out, o);
  o = leafInputs(c, pLeaf, BLOCK_B, NEW_KEY, NEW_BAL, NEW_NONCE, out, o);
  out[o++] = mul(pLeaf, c[IDX]!);
  const pRoot = per[PER_ROOT]!;
  for (let i = 0; i < 8; i++) out[o++] = mul(pRoot, sub(c[A_OUT + i]!, c[ROOT + i]!));
  const pD1 = per[PER_D1]!;
  let tag = 0;
  for (let i = 0; i < 7; i++) tag = add(tag, mul(i + 1, c[FLAGS + i]!));
  for (let i = 0; i < 8; i++) out[o++] = mul(pD1, sub(c[BLOCK_A + i]!, c[DATA + i]!));
  out[o++] = mul(pD1, sub(c[BLOCK_A + 8]!, tag));
  out[o++] = mul(pD1, sub(c[BLOCK_A + 9]!, c[IDX]!));
  for (let i = 0; i < 3; i++) out[o++] = mul(pD1, sub(c[BLOCK_A + 10 + i]!, c[AMOUNT + i]!));
  for (let i = 0; i < 3; i++) out[o++] = mul(pD1, sub(c[BLOCK_A + 13 + i]!, c[FEE + i]!));
  for (let i = 0; i < 8; i++) out[o++] = mul(pD1, sub(c[BLOCK_B + i]!, c[EXTRA + i]!));
  for (let i = 0; i < 3; i++) out[o++] = mul(pD1, sub(c[BLOCK_B + 8 + i]!, c[AMOUNT + i]!));
  for (let i = 11; i < 16; i++) out[o++] = mul(pD1, c[BLOCK_B + i]!);
  const pD2 = per[PER_D2]!;
  for (let i = 0; i < 8; i++) out[o++] = mul(pD2, sub(c[BLOCK_A + 8 + i]!, c[EXTRA + i]!));
  for (let i = 0; i < 8; i++) out[o++] = mul(pD2, sub(c[BLOCK_B + i]!, c[WDR + i]!));
  return o;
}

function leafInputs(
  c: Uint32Array,
  pLeaf: number,
  blk: number,
  key: number,
  bal: number,
  nonce: number,
  out: Uint32Array,
  start: number,
): number {
  let o = start;
  for (let i = 0; i < 8; i++) out[o++] = mul(pLeaf, sub(c[blk + i]!, c[key + i]!));
  for (let i = 0; i < 3; i++) out[o++] = mul(pLeaf, sub(c[blk + 8 + i]!, c[bal + i]!));
  for (let i = 0; i < 2; i++) out[o++] = mul(pLeaf, sub(c[blk + 11 + i]!, c[nonce + i]!));
  for (let i = 13; i < 16; i++) out[o++] = mul(pLeaf, c[blk + i]!);
  return o;
}

export function transitionConstraintsBase(
  c: Uint32Array,
  n: Uint32Array,
  per: Uint32Array,
  out: Uint32Array,
  start: number,
): number {
  let o = start;
  const notEnd = per[PER_NOT_END]!;
  for (let col = CONSTS; col < WIDTH; col++) out[o++] = mul(notEnd, sub(n[col]!, c[col]!));
  const toPath = per[PER_TO_PATH]!;
  const d = n[DIR]!;
  for (let blk = BLOCK_A; blk <= BLOCK_B; blk += BLOCK_B - BLOCK_A) {
    for (let i = 0; i < 8; i++) {
      const node = c[blk + OUT + i]!;
      const s = n[SIB + i]!;
      out[o++] = mul(toPath, sub(sub(n[blk + i]!, node), mul(d, sub(s, node))));
      out[o++] = mul(toPath, sub(sub(n[blk + 8 + i]!, s), mul(d, sub(node, s))));
    }
  }
  out[o++] = mul(notEnd, sub(sub(n[IDX]!, c[IDX]!), mul(per[PER_WEIGHT]!, d)));
  const pRoot = per[PER_ROOT]!;
  for (let i = 0; i < 8; i++)
    out[o++] = sub(sub(n[ROOT + i]!, c[ROOT + i]!), mul(pRoot, sub(c[B_OUT + i]!, c[ROOT + i]!)));
  const pD1 = per[PER_D1]!;
  for (let i = 0; i < 8; i++) out[o++] = mul(pD1, sub(n[BLOCK_A + i]!, c[A_OUT + i]!));
  for (let i = 0; i < 8; i++) out[o++] = mul(pD1, sub(n[BLOCK_B + 8 + i]!, c[B_OUT + i]!));
  const pD2 = per[PER_D2]!;
  const wGate = mul(pD2, add(c[F_WS]!, c[F_FX]!));
  for (let i = 0; i < 8; i++)
    out[o++] = sub(sub(n[DATA + i]!, c[DATA + i]!), mul(pD2, sub(c[A_OUT + i]!, c[DATA + i]!)));
  for (let i = 0; i < 8; i++)
    out[o++] = sub(sub(n[WDR + i]!, c[WDR + i]!), mul(wGate, sub(c[B_OUT + i]!, c[WDR + i]!)));
  return o;
}
