import * as btc from '@scure/btc-signer';
import { packPoint, unpackPoint } from '../rollup/index.ts';
import type { DepositItem, PublicKey } from '../rollup/index.ts';
import { KeelNodeError } from './errors.ts';

/**
 * The peg-in format on Bitcoin (docs/deposits.md). A deposit transaction has
 *   - one or more outputs paying the bridge's deposit script, P2TR key-path to the bridge key (each is one deposit of
 *     its value), and
 *   - exactly one OP_RETURN output whose data is `"KEEL" ‖ 0x01 ‖ packPoint(A)` (37 bytes): the L2 key credited.
 * Anything else (no marker, a bad point, two markers) is not a deposit: the watcher skips it.
 */
export const DEPOSIT_MAGIC = Uint8Array.from([0x4b, 0x45, 0x45, 0x4c]); // "KEEL"
export const DEPOSIT_VERSION = 1;
export const DEPOSIT_PAYLOAD_BYTES = 37;

export type BridgeScript = Uint8Array;

/** The deposit scriptPubKey for a bridge x-only key (P2TR, key path only). */
export function bridgeDepositScript(bridgeXOnlyKey: Uint8Array): BridgeScript {
  if (bridgeXOnlyKey.length !== 32) throw new KeelNodeError('the bridge key must be a 32-byte x-only key');
  return btc.p2tr(bridgeXOnlyKey).script;
}

/** OP_RETURN output script that names the L2 key a deposit credits. */
export function depositMarkerScript(l2Key: PublicKey): Uint8Array {
  const data = new Uint8Array(DEPOSIT_PAYLOAD_BYTES);
  data.set(DEPOSIT_MAGIC, 0);
  data[4] = DEPOSIT_VERSION;
  data.set(packPoint(l2Key), 5);
  return btc.Script.encode(['RETURN', data]);
}

/** The L2 key of an OP_RETURN deposit marker, or undefined if the script is not one. */
export function parseDepositMarker(script: Uint8Array): PublicKey | undefined {
  if (script[0] !== 0x6a) return undefined;
  let decoded;
  try {
    decoded = btc.Script.decode(script);
  } catch {
    return undefined;
  }
  if (decoded.length !== 2 || decoded[0] !== 'RETURN') return undefined;
  const data = decoded[1];
  if (!(data instanceof Uint8Array) || data.length !== DEPOSIT_PAYLOAD_BYTES) return undefined;
  for (let i = 0; i < 4; i++) if (data[i] !== DEPOSIT_MAGIC[i]) return undefined;
  if (data[4] !== DEPOSIT_VERSION) return undefined;
  return unpackPoint(data.subarray(5));
}

export type L1Output = { scriptHex: string; sats: bigint };

/**
 * The deposits in one Bitcoin transaction (in output order). `txidHex` is the RPC's display txid (reversed); the
 * queue item carries the outpoint byte order.
 */
export function depositsOfTransaction(
  txidHex: string,
  outputs: L1Output[],
  bridgeScript: BridgeScript,
  l1Height: number,
): DepositItem[] {
  const bridgeHex = Buffer.from(bridgeScript).toString('hex');
  let key: PublicKey | undefined;
  let markers = 0;
  for (const o of outputs) {
    if (!o.scriptHex.startsWith('6a')) continue;
    const k = parseDepositMarker(Buffer.from(o.scriptHex, 'hex'));
    if (k) {
      markers++;
      key = k;
    }
  }
  if (markers !== 1 || !key) return [];
  const txid = Uint8Array.from(Buffer.from(txidHex, 'hex')).reverse();
  const out: DepositItem[] = [];
  outputs.forEach((o, vout) => {
    if (o.scriptHex !== bridgeHex || o.sats <= 0n) return;
    out.push({ type: 'deposit', txid, vout, l1Height, pubKey: key!, amount: o.sats });
  });
  return out;
}
