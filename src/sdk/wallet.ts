import { encodeTransaction, packPoint, signTransfer, signWithdraw } from '../rollup/index.ts';
import type { L2KeyPair } from '../rollup/index.ts';
import { getAccountByKey, getChainId, sendTransaction } from './actions.ts';
import type { ClientBase } from './actions.ts';
import { KeelRpcError } from './errors.ts';
import type { AccountJson } from './types.ts';

/** The account of an L2 key, or a clear error if no deposit has created it yet. */
export async function accountOf(c: ClientBase, key: L2KeyPair): Promise<AccountJson> {
  const account = await getAccountByKey(c, packPoint(key.publicKey));
  if (!account)
    throw new KeelRpcError(
      'keel_getAccountByKey',
      -32006,
      'this key has no L2 account yet (make a deposit first)',
      'UNKNOWN_ACCOUNT',
    );
  return account;
}

export type TransferRequest = { to: number; amount: bigint; fee: bigint; nonce?: number };
export type WithdrawRequest = { script: Uint8Array; amount: bigint; fee: bigint; nonce?: number };

/** Signs a transfer with the next nonce of the key's account and sends it. */
export async function transfer(
  c: ClientBase,
  key: L2KeyPair,
  req: TransferRequest,
): Promise<{ id: string; from: number; nonce: number }> {
  const [account, chainId] = await Promise.all([accountOf(c, key), getChainId(c)]);
  const nonce = req.nonce ?? account.pendingNonce;
  const tx = signTransfer(
    key.privateKey,
    { from: account.index, to: req.to, amount: req.amount, fee: req.fee, nonce },
    chainId,
  );
  const { id } = await sendTransaction(c, encodeTransaction(tx));
  return { id, from: account.index, nonce };
}

/** Signs a withdrawal to a Bitcoin scriptPubKey and sends it. */
export async function withdraw(
  c: ClientBase,
  key: L2KeyPair,
  req: WithdrawRequest,
): Promise<{ id: string; from: number; nonce: number }> {
  const [account, chainId] = await Promise.all([accountOf(c, key), getChainId(c)]);
  const nonce = req.nonce ?? account.pendingNonce;
  const tx = signWithdraw(
    key.privateKey,
    { from: account.index, script: req.script, amount: req.amount, fee: req.fee, nonce },
    chainId,
  );
  const { id } = await sendTransaction(c, encodeTransaction(tx));
  return { id, from: account.index, nonce };
}
