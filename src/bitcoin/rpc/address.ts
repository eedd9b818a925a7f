import { Address, OutScript, type NETWORK } from '@scure/btc-signer';

type BTC_NETWORK = typeof NETWORK;
import { hex } from '@scure/base';
import { RPC, RpcError } from './errors.ts';

/** Address prefixes of Core's regtest. */
export const REGTEST_NETWORK: BTC_NETWORK = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, wif: 0xef };

/** The address of an output script, when it has one (Core's ExtractDestination). */
export function scriptToAddress(script: Uint8Array, network: BTC_NETWORK = REGTEST_NETWORK): string | undefined {
  try {
    const decoded = OutScript.decode(script);
    if (!decoded) return undefined;
    if (decoded.type === 'pk' || decoded.type === 'ms' || decoded.type === 'tr_ns' || decoded.type === 'tr_ms')
      return undefined;
    return Address(network).encode(decoded);
  } catch {
    return undefined;
  }
}

/** Output script of an address; RpcError -5 when it is not a valid address for the network. */
export function addressToScript(address: string, network: BTC_NETWORK = REGTEST_NETWORK): Uint8Array {
  try {
    return OutScript.encode(Address(network).decode(address));
  } catch (err) {
    throw new RpcError(RPC.INVALID_ADDRESS_OR_KEY, 'Error: Invalid address', err);
  }
}

export const toHex = (b: Uint8Array): string => hex.encode(b);
