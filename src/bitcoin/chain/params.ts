import { hexToBytes } from '@noble/hashes/utils.js';
import { COIN, type Transaction } from '../tx/index.ts';
import type { Block } from './block.ts';

/** Consensus parameters of Bitcoin Core's regtest chain. */
export interface ChainParams {
  name: 'regtest';
  genesis: Block;
  powLimitBits: number;
  subsidyHalvingInterval: number;
  coinbaseMaturity: number;
  maxBlockWeight: number;
  maxBlockSigopsCost: number;
  /** Blocks may be at most this far ahead of the local clock (seconds). */
  maxFutureBlockTime: number;
  defaultPort: number;
}

const GENESIS_COINBASE: Transaction = {
  version: 1,
  inputs: [
    {
      txid: new Uint8Array(32),
      vout: 0xffffffff,
      scriptSig: hexToBytes(
        '04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73',
      ),
      sequence: 0xffffffff,
      witness: [],
    },
  ],
  outputs: [
    {
      value: 50n * COIN,
      script: hexToBytes(
        '4104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac',
      ),
    },
  ],
  locktime: 0,
};

export const REGTEST: ChainParams = {
  name: 'regtest',
  genesis: {
    header: {
      version: 1,
      prevHash: new Uint8Array(32),
      // The genesis coinbase txid, internal byte order.
      merkleRoot: hexToBytes('3ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a'),
      time: 1296688602,
      bits: 0x207fffff,
      nonce: 2,
    },
    txs: [GENESIS_COINBASE],
  },
  powLimitBits: 0x207fffff,
  subsidyHalvingInterval: 150,
  coinbaseMaturity: 100,
  maxBlockWeight: 4_000_000,
  maxBlockSigopsCost: 80_000,
  maxFutureBlockTime: 2 * 60 * 60,
  defaultPort: 18443,
};

export function blockSubsidy(height: number, params: ChainParams): bigint {
  const halvings = Math.floor(height / params.subsidyHalvingInterval);
  if (halvings >= 64) return 0n;
  return (50n * COIN) >> BigInt(halvings);
}
