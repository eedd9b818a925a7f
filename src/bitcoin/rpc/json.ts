/** A satoshi amount that serializes as a JSON number in BTC with 8 decimals, as Core prints amounts. */
export class BtcAmount {
  constructor(readonly sats: bigint) {}
  toString(): string {
    const neg = this.sats < 0n;
    const abs = neg ? -this.sats : this.sats;
    return `${neg ? '-' : ''}${abs / 100_000_000n}.${(abs % 100_000_000n).toString().padStart(8, '0')}`;
  }
}

export const btc = (sats: bigint | number): BtcAmount => new BtcAmount(BigInt(sats));

/** JSON text with BtcAmount as exact decimal numbers (JSON.stringify would go through floats). */
export function toJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof BtcAmount) return value.toString();
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
      const parts: string[] = [];
      for (const [k, v] of Object.entries(value)) if (v !== undefined) parts.push(`${JSON.stringify(k)}:${toJson(v)}`);
      return `{${parts.join(',')}}`;
    }
    default:
      return 'null';
  }
}

/** BTC amount (number or decimal string) to satoshis, exactly; undefined when not a valid amount. */
export function parseBtc(value: unknown): bigint | undefined {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    text = value.toFixed(8);
    if (Math.abs(Number(text) - value) > 1e-9 * Math.max(1, Math.abs(value))) return undefined;
  } else if (typeof value === 'string') text = value.trim();
  else return undefined;
  const m = /^(-?)(\d+)(?:\.(\d{0,8}))?$/.exec(text);
  if (!m) return undefined;
  const sats = BigInt(m[2]) * 100_000_000n + BigInt((m[3] ?? '').padEnd(8, '0') || '0');
  return m[1] ? -sats : sats;
}
