import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import * as btc from '@scure/btc-signer';
import { BitcoinNode, type BitcoinNodeOptions } from '../../../src/bitcoin/node/index.ts';
import { createBitcoinClient, http, btcToSats, type BitcoinClient } from '../../../src/bitcoin/client/index.ts';

export const REGTEST = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, wif: 0xef };

export interface TestNode {
  node: BitcoinNode;
  client: BitcoinClient;
  url: string;
  auth: { user: string; password: string };
}

/** A fresh in-memory node on a free port, reached only over HTTP JSON-RPC. */
export async function startNode(options: Partial<BitcoinNodeOptions> = {}): Promise<TestNode> {
  const auth = { user: 'keel', password: 'test-password' };
  const node = await BitcoinNode.start({ rpcPort: 0, rpcUser: auth.user, rpcPassword: auth.password, ...options });
  const client = createBitcoinClient({ transport: http(node.rpcUrl, auth) });
  return { node, client, url: node.rpcUrl, auth };
}

export class Wallet {
  readonly priv: Uint8Array;
  readonly pub: Uint8Array;
  readonly xonly: Uint8Array;
  constructor(seed: number) {
    this.priv = new Uint8Array(32);
    this.priv[31] = seed;
    this.priv[0] = 0x11;
    this.pub = secp256k1.getPublicKey(this.priv, true);
    this.xonly = schnorr.getPublicKey(this.priv);
  }
  get p2wpkh() {
    return btc.p2wpkh(this.pub, REGTEST);
  }
  get p2tr() {
    return btc.p2tr(this.xonly, undefined, REGTEST);
  }
}

export interface Utxo {
  txid: string;
  vout: number;
  amount: bigint;
  script: Uint8Array;
}

/** The coinbase output (index 0) of the block at `height`. */
export async function coinbaseUtxo(client: BitcoinClient, height: number): Promise<Utxo> {
  const hash = await client.getBlockHash(height);
  const block = await client.getBlockWithTxs(hash);
  const cb = block.tx[0];
  return {
    txid: cb.txid,
    vout: 0,
    amount: btcToSats(cb.vout[0].value),
    script: hexBytes(cb.vout[0].scriptPubKey.hex),
  };
}

export function hexBytes(h: string): Uint8Array {
  return Uint8Array.from(Buffer.from(h, 'hex'));
}

/** Spends P2WPKH or key-path P2TR `utxo` of `wallet` to `outputs`. */
export function spend(
  wallet: Wallet,
  utxos: Utxo[],
  outputs: { script: Uint8Array; amount: bigint }[],
  opts: { sequence?: number; kind?: 'wpkh' | 'tr'; version?: number; lockTime?: number } = {},
): { hex: string; txid: string; vsize: number } {
  const tx = new btc.Transaction({ version: opts.version ?? 2, lockTime: opts.lockTime, allowUnknownOutputs: true });
  for (const u of utxos) {
    const base = {
      txid: u.txid,
      index: u.vout,
      witnessUtxo: { script: u.script, amount: u.amount },
      sequence: opts.sequence,
    };
    if (opts.kind === 'tr') tx.addInput({ ...base, tapInternalKey: wallet.xonly });
    else tx.addInput(base);
  }
  for (const o of outputs) tx.addOutput(o);
  tx.sign(wallet.priv);
  tx.finalize();
  return { hex: tx.hex, txid: tx.id, vsize: tx.vsize };
}

export async function expectRpcError(p: Promise<unknown>, code: number, message?: RegExp): Promise<string> {
  try {
    await p;
  } catch (err) {
    const e = err as { code?: number; shortMessage?: string; message: string };
    if (e.code !== code) throw new Error(`expected RPC code ${code}, got ${e.code}: ${e.message}`);
    const text = e.shortMessage ?? e.message;
    if (message && !message.test(text)) throw new Error(`expected message ${message}, got ${text}`);
    return text;
  }
  throw new Error(`expected RPC error ${code}, but the call succeeded`);
}

/**
 * Finalizes a script-path input whose leaf btc-signer cannot finalize by itself (e.g. a CSV leaf): the witness is
 * the signature, the leaf script and the control block.
 */
export function finalizeLeaf(tx: btc.Transaction, index: number): void {
  const input = tx.getInput(index);
  const [leaf] = input.tapLeafScript ?? [];
  const [sig] = input.tapScriptSig ?? [];
  if (!leaf || !sig) throw new Error('input has no signed leaf');
  const [control, scriptWithVersion] = leaf;
  const script = scriptWithVersion.subarray(0, -1);
  tx.updateInput(index, { finalScriptWitness: [sig[1], script, btc.TaprootControlBlock.encode(control)] }, true);
}
