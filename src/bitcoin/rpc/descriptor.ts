const INPUT_CHARSET =
  '0123456789()[],\'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~ijklmnopqrstuvwxyzABCDEFGH`#"\\ ';
const CHECKSUM_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GENERATORS = [0xf5dee51989n, 0xa9fdca3312n, 0x1bab10e32dn, 0x3706b1677an, 0x644d626ffdn];

function polyMod(c: bigint, val: number): bigint {
  const c0 = c >> 35n;
  let next = ((c & 0x7ffffffffn) << 5n) ^ BigInt(val);
  for (let i = 0; i < 5; i++) if ((c0 >> BigInt(i)) & 1n) next ^= GENERATORS[i];
  return next;
}

/** Core's descriptor checksum (BIP380); undefined when the text has a character outside the descriptor set. */
export function descriptorChecksum(desc: string): string | undefined {
  let c = 1n;
  let cls = 0;
  let clsCount = 0;
  for (const ch of desc) {
    const pos = INPUT_CHARSET.indexOf(ch);
    if (pos < 0) return undefined;
    c = polyMod(c, pos & 31);
    cls = cls * 3 + (pos >> 5);
    if (++clsCount === 3) {
      c = polyMod(c, cls);
      cls = 0;
      clsCount = 0;
    }
  }
  if (clsCount > 0) c = polyMod(c, cls);
  for (let j = 0; j < 8; j++) c = polyMod(c, 0);
  c ^= 1n;
  let out = '';
  for (let j = 0; j < 8; j++) out += CHECKSUM_CHARSET[Number((c >> BigInt(5 * (7 - j))) & 31n)];
  return out;
}

export function withChecksum(desc: string): string {
  return `${desc}#${descriptorChecksum(desc)}`;
}

/** Splits `desc#checksum`, checking the checksum when present. */
export function stripChecksum(text: string): { desc: string; ok: boolean } {
  const hash = text.indexOf('#');
  if (hash < 0) return { desc: text, ok: true };
  const desc = text.slice(0, hash);
  return { desc, ok: descriptorChecksum(desc) === text.slice(hash + 1) };
}
