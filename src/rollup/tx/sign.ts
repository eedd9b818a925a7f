import { sign } from '../crypto/eddsa.ts';
import { forcedExitMessage, transferMessage, withdrawMessage } from './message.ts';
import type { ForcedExitItem, Transfer, Withdraw } from './types.ts';

/** Wallet-side helpers: build and sign transactions with an L2 private key. */
export function signTransfer(
  privateKey: Uint8Array,
  fields: Omit<Transfer, 'sig' | 'type'>,
  chainId: number,
): Transfer {
  return { type: 'transfer', ...fields, sig: sign(privateKey, transferMessage(fields, chainId)) };
}

export function signWithdraw(
  privateKey: Uint8Array,
  fields: Omit<Withdraw, 'sig' | 'type'>,
  chainId: number,
): Withdraw {
  return { type: 'withdraw', ...fields, sig: sign(privateKey, withdrawMessage(fields, chainId)) };
}

export function signForcedExit(
  privateKey: Uint8Array,
  fields: Omit<ForcedExitItem, 'sig' | 'type'>,
  chainId: number,
): ForcedExitItem {
  return { type: 'forcedExit', ...fields, sig: sign(privateKey, forcedExitMessage(fields, chainId)) };
}
