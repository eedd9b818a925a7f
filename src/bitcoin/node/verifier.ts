import type { TxVerifier } from '../chain/verify.ts';
import { parseFlags, SignatureCache, STANDARD_FLAGS, verifyTransaction } from '../script/index.ts';

/** Regtest today: every soft fork active from genesis (Core's block flags with BIP65/66/68/112/113, segwit, taproot). */
export const CONSENSUS_FLAGS = parseFlags(
  'P2SH,DERSIG,NULLDUMMY,CHECKLOCKTIMEVERIFY,CHECKSEQUENCEVERIFY,WITNESS,TAPROOT',
);

/** The script engine as the chain and mempool call it; one signature cache, so a relayed tx verifies once. */
export function scriptVerifier(cache = new SignatureCache()): TxVerifier {
  return ({ tx, prevouts, policy }) =>
    verifyTransaction(tx, prevouts, policy === 'consensus' ? CONSENSUS_FLAGS : STANDARD_FLAGS, cache);
}
