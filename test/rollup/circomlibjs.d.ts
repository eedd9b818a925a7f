// Just enough of circomlibjs (untyped, GPL-3.0, a devDependency used only as a test oracle) for the rollup tests.
declare module 'circomlibjs' {
  type CircomField = { e(v: bigint | number | string): unknown; toString(v: unknown): string };
  type CircomPoint = [unknown, unknown];
  type CircomSignature = { R8: CircomPoint; S: bigint };
  export function buildPoseidon(): Promise<((inputs: unknown[]) => unknown) & { F: CircomField }>;
  export function buildEddsa(): Promise<{
    F: CircomField;
    babyJub: { F: CircomField; packPoint(p: CircomPoint): Uint8Array };
    prv2pub(prv: Uint8Array): CircomPoint;
    signPoseidon(prv: Uint8Array, msg: unknown): CircomSignature;
    verifyPoseidon(msg: unknown, sig: CircomSignature, A: CircomPoint): boolean;
    packSignature(sig: CircomSignature): Uint8Array;
  }>;
}
