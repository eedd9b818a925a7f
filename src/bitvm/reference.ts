/**
 * JavaScript twins of every Script limb operation, written independently of the Script code so the two can be
 * cross-tested. Values are plain numbers: nibbles 0..15, u32 0..2^32-1.
 */
export const u4 = {
  add: (a: number, b: number, carry = 0) => ({ carry: (a + b + carry) >> 4, sum: (a + b + carry) & 15 }),
  sub: (a: number, b: number, borrow = 0) => ({ borrow: a - b - borrow < 0 ? 1 : 0, diff: (a - b - borrow) & 15 }),
  xor: (a: number, b: number) => a ^ b,
  and: (a: number, b: number) => a & b,
  or: (a: number, b: number) => a | b,
  not: (a: number) => ~a & 15,
  shr: (a: number, k: number) => a >>> k,
  shl: (a: number, k: number) => (a << k) & 15,
  rotr: (a: number, k: number) => ((a >>> k) | (a << (4 - k))) & 15,
};

export const u32 = {
  add: (a: number, b: number) => (a + b) >>> 0,
  sub: (a: number, b: number) => (a - b) >>> 0,
  xor: (a: number, b: number) => (a ^ b) >>> 0,
  and: (a: number, b: number) => (a & b) >>> 0,
  or: (a: number, b: number) => (a | b) >>> 0,
  not: (a: number) => ~a >>> 0,
  rotr: (a: number, r: number) => ((a >>> r) | (a << (32 - r))) >>> 0,
  rotl: (a: number, r: number) => ((a << r) | (a >>> (32 - r))) >>> 0,
  shr: (a: number, r: number) => a >>> r,
  shl: (a: number, r: number) => (a << r) >>> 0,
  lessThan: (a: number, b: number) => (a < b ? 1 : 0),
  equal: (a: number, b: number) => (a === b ? 1 : 0),
  /** Most significant byte first. */
  toBytes: (a: number) => [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255],
  fromBytes: (b: readonly number[]) =>
    (((b[0] ?? 0) << 24) | ((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0)) >>> 0,
};
