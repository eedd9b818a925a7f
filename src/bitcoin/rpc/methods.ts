import type { MethodDef } from './context.ts';
import { chainMethods } from './methods-chain.ts';
import { miningMethods } from './methods-mining.ts';
import { txMethods } from './methods-tx.ts';

/** Every RPC method the node answers, by name. */
export const METHODS: Record<string, MethodDef> = { ...chainMethods, ...txMethods, ...miningMethods };
