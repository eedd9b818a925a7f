import { bytesToBigBE } from '../crypto/field.ts';
import { fail } from '../errors.ts';
import { MAX_SCRIPT_BYTES } from './types.ts';

/** Protocol §4.1: a scriptPubKey, zero-padded to 62 bytes, as two 31-byte big-endian field elements. */
export function packScript(script: Uint8Array): { w0: bigint; w1: bigint; len: number } {
  if (script.length < 1 || script.length > MAX_SCRIPT_BYTES)
    fail('INVALID_PARAMETER', `scriptPubKey must be 1..${MAX_SCRIPT_BYTES} bytes, got ${script.length}`);
  const padded = new Uint8Array(62);
  padded.set(script);
  return { w0: bytesToBigBE(padded.subarray(0, 31)), w1: bytesToBigBE(padded.subarray(31, 62)), len: script.length };
}
