import type { BatchOutput } from '../batch.ts';

/** Value encodings of the store's records (keys are in layout.ts). */

/** The parts one after another (a list, which may be too long to spread as arguments). */
export function concatAll(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function encodeBatch(b: BatchOutput): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify(b, (_, v: unknown) =>
      typeof v === 'bigint'
        ? `0x${v.toString(16)}`
        : v instanceof Uint8Array
          ? { hex: Buffer.from(v).toString('hex') }
          : v,
    ),
  );
}

export function decodeBatch(bytes: Uint8Array): BatchOutput {
  return JSON.parse(new TextDecoder().decode(bytes), (_, v: unknown) => {
    if (typeof v === 'string' && v.startsWith('0x')) return BigInt(v);
    if (v && typeof v === 'object' && 'hex' in v && typeof v.hex === 'string')
      return Uint8Array.from(Buffer.from(v.hex, 'hex'));
    return v;
  }) as BatchOutput;
}
