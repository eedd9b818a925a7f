// One opcode table for the whole project: the script engine's.
import { OP } from '../bitcoin/index.ts';

export { OP };

export type OpName = keyof typeof OP;

/** Stack effect of an opcode: items it needs on the stack, items it pops, items it pushes. */
interface Effect {
  readonly needs: number;
  readonly pops: number;
  readonly pushes: number;
}

const effect = (needs: number, pops: number, pushes: number): Effect => ({ needs, pops, pushes });

/** Static stack effects; OP_PICK/OP_ROLL need the pushed depth and are handled by the analyser. */
export const OP_EFFECTS: ReadonlyMap<number, Effect> = new Map<number, Effect>([
  [OP.OP_NOP, effect(0, 0, 0)],
  [OP.OP_VERIFY, effect(1, 1, 0)],
  [OP.OP_2DROP, effect(2, 2, 0)],
  [OP.OP_2DUP, effect(2, 0, 2)],
  [OP.OP_3DUP, effect(3, 0, 3)],
  [OP.OP_2OVER, effect(4, 0, 2)],
  [OP.OP_2ROT, effect(6, 0, 0)],
  [OP.OP_2SWAP, effect(4, 0, 0)],
  [OP.OP_DEPTH, effect(0, 0, 1)],
  [OP.OP_DROP, effect(1, 1, 0)],
  [OP.OP_DUP, effect(1, 0, 1)],
  [OP.OP_NIP, effect(2, 1, 0)],
  [OP.OP_OVER, effect(2, 0, 1)],
  [OP.OP_ROT, effect(3, 0, 0)],
  [OP.OP_SWAP, effect(2, 0, 0)],
  [OP.OP_TUCK, effect(2, 0, 1)],
  [OP.OP_SIZE, effect(1, 0, 1)],
  [OP.OP_EQUAL, effect(2, 2, 1)],
  [OP.OP_EQUALVERIFY, effect(2, 2, 0)],
  [OP.OP_1ADD, effect(1, 1, 1)],
  [OP.OP_1SUB, effect(1, 1, 1)],
  [OP.OP_NEGATE, effect(1, 1, 1)],
  [OP.OP_ABS, effect(1, 1, 1)],
  [OP.OP_NOT, effect(1, 1, 1)],
  [OP.OP_0NOTEQUAL, effect(1, 1, 1)],
  [OP.OP_ADD, effect(2, 2, 1)],
  [OP.OP_SUB, effect(2, 2, 1)],
  [OP.OP_BOOLAND, effect(2, 2, 1)],
  [OP.OP_BOOLOR, effect(2, 2, 1)],
  [OP.OP_NUMEQUAL, effect(2, 2, 1)],
  [OP.OP_NUMEQUALVERIFY, effect(2, 2, 0)],
  [OP.OP_NUMNOTEQUAL, effect(2, 2, 1)],
  [OP.OP_LESSTHAN, effect(2, 2, 1)],
  [OP.OP_GREATERTHAN, effect(2, 2, 1)],
  [OP.OP_LESSTHANOREQUAL, effect(2, 2, 1)],
  [OP.OP_GREATERTHANOREQUAL, effect(2, 2, 1)],
  [OP.OP_MIN, effect(2, 2, 1)],
  [OP.OP_MAX, effect(2, 2, 1)],
  [OP.OP_WITHIN, effect(3, 3, 1)],
  [OP.OP_RIPEMD160, effect(1, 1, 1)],
  [OP.OP_SHA1, effect(1, 1, 1)],
  [OP.OP_SHA256, effect(1, 1, 1)],
  [OP.OP_HASH160, effect(1, 1, 1)],
  [OP.OP_HASH256, effect(1, 1, 1)],
  [OP.OP_CHECKSIG, effect(2, 2, 1)],
  [OP.OP_CHECKSIGVERIFY, effect(2, 2, 0)],
  [OP.OP_CHECKSIGADD, effect(3, 3, 1)],
]);
