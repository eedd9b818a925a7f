import { P } from '../field.ts';
import { FieldKernel } from './montgomery.ts';

/** The shared Montgomery kernel for BN254's scalar field (Baby Jubjub's base field). */
export const bn254Kernel = new FieldKernel(P);
