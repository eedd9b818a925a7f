// Just enough typing for the GPL-3.0 libraries that only this module may touch. Nothing here is exported.
declare module 'ffjavascript' {
  export interface WasmField {
    n8: number;
    one: Uint8Array;
    e(value: bigint | number | string): Uint8Array;
    toObject(value: Uint8Array): bigint;
  }
  export interface WasmGroup {
    g: Uint8Array;
    F: { n8: number };
    timesFr(point: Uint8Array, scalar: Uint8Array): Uint8Array;
    toAffine(point: Uint8Array): Uint8Array;
    toRprLEM(buffer: Uint8Array, offset: number, point: Uint8Array): void;
    fromRprLEM(buffer: Uint8Array, offset: number): Uint8Array;
    toObject(point: Uint8Array): unknown;
  }
  export interface WasmCurve {
    Fr: WasmField;
    G1: WasmGroup;
    G2: WasmGroup;
    terminate(): Promise<void>;
  }
  export function buildBn128(singleThread?: boolean): Promise<WasmCurve>;
}

declare module 'snarkjs' {
  export interface SnarkjsProof {
    pi_a: string[];
    pi_b: string[][];
    pi_c: string[];
    protocol: string;
    curve: string;
  }
  export interface SnarkjsLogger {
    debug(message: string): void;
    info(message: string): void;
    warn(message: string): void;
    error(message: string): void;
    log?(message: string): void;
  }
  export const groth16: {
    prove(
      zkey: string | Uint8Array,
      witness: string | Uint8Array,
      logger?: SnarkjsLogger,
    ): Promise<{ proof: SnarkjsProof; publicSignals: string[] }>;
    verify(vk: unknown, publicSignals: string[], proof: SnarkjsProof, logger?: SnarkjsLogger): Promise<boolean>;
  };
  export const zKey: {
    newZKey(r1cs: string, ptau: string, zkey: string, logger?: SnarkjsLogger): Promise<unknown>;
    exportVerificationKey(zkey: string, logger?: SnarkjsLogger): Promise<Record<string, unknown>>;
    beacon(
      oldZkey: string,
      newZkey: string,
      name: string,
      beaconHashHex: string,
      numIterationsExp: number,
      logger?: SnarkjsLogger,
    ): Promise<unknown>;
  };
  export const wtns: {
    calculate(
      input: Record<string, unknown>,
      wasm: string,
      wtns: string | { type: 'mem'; data?: Uint8Array },
    ): Promise<void>;
    check(r1cs: string, wtns: string, logger?: SnarkjsLogger): Promise<boolean>;
  };
  export const powersOfTau: {
    preparePhase2(oldPtau: string, newPtau: string, logger?: SnarkjsLogger): Promise<void>;
    verify(ptau: string, logger?: SnarkjsLogger): Promise<boolean>;
  };
  export const r1cs: {
    info(
      r1cs: string,
      logger?: SnarkjsLogger,
    ): Promise<{ nConstraints: number; nVars: number; nOutputs: number; nPubInputs: number; nPrvInputs: number }>;
  };
}
