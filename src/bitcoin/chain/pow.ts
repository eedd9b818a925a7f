/** Core's arith_uint256::SetCompact; negative or overflowing encodings give undefined. */
export function bitsToTarget(bits: number): bigint | undefined {
  const size = bits >>> 24;
  let word = BigInt(bits & 0x007fffff);
  const negative = word !== 0n && (bits & 0x00800000) !== 0;
  const overflow = word !== 0n && (size > 34 || (word > 0xffn && size > 33) || (word > 0xffffn && size > 32));
  if (negative || overflow) return undefined;
  word = size <= 3 ? word >> BigInt(8 * (3 - size)) : word << BigInt(8 * (size - 3));
  return word;
}

/** Core's GetCompact. */
export function targetToBits(target: bigint): number {
  let size = 0;
  for (let t = target; t > 0n; t >>= 8n) size++;
  let compact = size <= 3 ? Number(target << BigInt(8 * (3 - size))) : Number(target >> BigInt(8 * (size - 3)));
  if (compact & 0x00800000) {
    compact >>>= 8;
    size++;
  }
  return (compact | (size << 24)) >>> 0;
}

/** Expected number of hashes to meet `bits` (Core's GetBlockProof). */
export function blockWork(bits: number): bigint {
  const target = bitsToTarget(bits);
  if (target === undefined || target === 0n) return 0n;
  return (1n << 256n) / (target + 1n);
}

/** Hash (internal byte order, i.e. little-endian number) against the target. */
export function hashMeetsTarget(hash: Uint8Array, target: bigint): boolean {
  let value = 0n;
  for (let i = 31; i >= 0; i--) value = (value << 8n) | BigInt(hash[i]);
  return value <= target;
}

/** Core's GetDifficulty: the genesis-era maximum target divided by this one. */
export function difficulty(bits: number): number {
  let shift = (bits >>> 24) & 0xff;
  let diff = 0x0000ffff / (bits & 0x00ffffff);
  while (shift < 29) {
    diff *= 256;
    shift++;
  }
  while (shift > 29) {
    diff /= 256;
    shift--;
  }
  return diff;
}
