// Where finished batch proofs live: one record per batch, readable by the RPC layer and the CLI.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProofFormatError } from './errors.ts';
import { PROOF_BYTES } from './groth16.ts';

export interface StoredProof {
  batchNumber: number;
  publicInput: bigint;
  /** 256-byte Groth16 proof (see encodeProof). */
  proof: Uint8Array;
  provedAt: number;
  proveMs: number;
}

export interface ProofStore {
  put(record: StoredProof): Promise<void>;
  get(batchNumber: number): Promise<StoredProof | undefined>;
}

export class MemoryProofStore implements ProofStore {
  private readonly records = new Map<number, StoredProof>();
  async put(record: StoredProof): Promise<void> {
    this.records.set(record.batchNumber, { ...record, proof: record.proof.slice() });
  }
  async get(batchNumber: number): Promise<StoredProof | undefined> {
    const r = this.records.get(batchNumber);
    return r && { ...r, proof: r.proof.slice() };
  }
}

interface ProofFile {
  batchNumber: number;
  publicInput: string;
  proof: string;
  provedAt: number;
  proveMs: number;
}

/** One JSON file per batch, written atomically (temp file + rename) so a crash never leaves half a proof. */
export class FileProofStore implements ProofStore {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  async put(record: StoredProof): Promise<void> {
    const file: ProofFile = {
      batchNumber: record.batchNumber,
      publicInput: '0x' + record.publicInput.toString(16),
      proof: Buffer.from(record.proof).toString('hex'),
      provedAt: record.provedAt,
      proveMs: record.proveMs,
    };
    const path = this.path(record.batchNumber);
    writeFileSync(`${path}.tmp`, JSON.stringify(file, null, 1));
    renameSync(`${path}.tmp`, path);
  }

  async get(batchNumber: number): Promise<StoredProof | undefined> {
    const path = this.path(batchNumber);
    if (!existsSync(path)) return undefined;
    const file = JSON.parse(readFileSync(path, 'utf8')) as ProofFile;
    const proof = Uint8Array.from(Buffer.from(file.proof, 'hex'));
    if (proof.length !== PROOF_BYTES) throw new ProofFormatError(`Stored proof of batch ${batchNumber} is damaged`);
    return { ...file, publicInput: BigInt(file.publicInput), proof };
  }

  private path(batchNumber: number): string {
    if (!Number.isSafeInteger(batchNumber) || batchNumber < 0)
      throw new ProofFormatError(`Bad batch number ${batchNumber}`);
    return join(this.dir, `batch-${batchNumber}.json`);
  }
}
