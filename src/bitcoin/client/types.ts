/** Response shapes of Bitcoin Core's RPC (the fields Keel relies on; Core may add more). Amounts are BTC numbers. */

export interface BlockchainInfo {
  chain: string;
  blocks: number;
  headers: number;
  bestblockhash: string;
  difficulty: number;
  time: number;
  mediantime: number;
  verificationprogress: number;
  initialblockdownload: boolean;
  chainwork: string;
  size_on_disk: number;
  pruned: boolean;
  /** A string before Core 28, an array since. */
  warnings: string | string[];
}

export interface BlockHeaderVerbose {
  hash: string;
  confirmations: number;
  height: number;
  version: number;
  versionHex: string;
  merkleroot: string;
  time: number;
  mediantime: number;
  nonce: number;
  bits: string;
  difficulty: number;
  chainwork: string;
  nTx: number;
  previousblockhash?: string;
  nextblockhash?: string;
}

export interface ScriptPubKey {
  asm: string;
  desc?: string;
  hex: string;
  address?: string;
  type: string;
}

export interface TxInputVerbose {
  txid?: string;
  vout?: number;
  coinbase?: string;
  scriptSig?: { asm: string; hex: string };
  txinwitness?: string[];
  sequence: number;
}

export interface TxVerbose {
  txid: string;
  hash: string;
  version: number;
  size: number;
  vsize: number;
  weight: number;
  locktime: number;
  vin: TxInputVerbose[];
  vout: { value: number; n: number; scriptPubKey: ScriptPubKey }[];
  hex?: string;
  fee?: number;
  blockhash?: string;
  confirmations?: number;
  time?: number;
  blocktime?: number;
}

export interface BlockVerbose<TxT = string> extends BlockHeaderVerbose {
  strippedsize: number;
  size: number;
  weight: number;
  tx: TxT[];
}

export interface ChainTip {
  height: number;
  hash: string;
  branchlen: number;
  status: 'active' | 'valid-fork' | 'valid-headers' | 'headers-only' | 'invalid';
}

export interface TxOutInfo {
  bestblock: string;
  confirmations: number;
  value: number;
  scriptPubKey: ScriptPubKey;
  coinbase: boolean;
}

export interface ScanTxOutSetResult {
  success: boolean;
  txouts: number;
  height: number;
  bestblock: string;
  unspents: {
    txid: string;
    vout: number;
    scriptPubKey: string;
    desc: string;
    amount: number;
    coinbase?: boolean;
    height: number;
  }[];
  total_amount: number;
}

export interface MempoolInfo {
  loaded: boolean;
  size: number;
  bytes: number;
  usage: number;
  total_fee: number;
  maxmempool: number;
  mempoolminfee: number;
  minrelaytxfee: number;
  incrementalrelayfee?: number;
  fullrbf?: boolean;
}

export interface MempoolEntryInfo {
  vsize: number;
  weight: number;
  time: number;
  height: number;
  descendantcount: number;
  descendantsize: number;
  ancestorcount: number;
  ancestorsize: number;
  wtxid: string;
  fees: { base: number; modified: number; ancestor: number; descendant: number };
  depends: string[];
  spentby: string[];
  'bip125-replaceable': boolean;
}

export interface TestMempoolAcceptResult {
  txid: string;
  wtxid: string;
  allowed?: boolean;
  vsize?: number;
  fees?: { base: number; 'effective-feerate'?: number; 'effective-includes'?: string[] };
  'reject-reason'?: string;
}

export interface EstimateSmartFeeResult {
  feerate?: number;
  errors?: string[];
  blocks: number;
}
