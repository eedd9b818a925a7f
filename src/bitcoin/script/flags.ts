import { BaseError } from '../../shared/index.ts';

/** Script verification flags, with Bitcoin Core's bit values and names. */
export const SCRIPT_VERIFY = {
  NONE: 0,
  P2SH: 1 << 0,
  STRICTENC: 1 << 1,
  DERSIG: 1 << 2,
  LOW_S: 1 << 3,
  NULLDUMMY: 1 << 4,
  SIGPUSHONLY: 1 << 5,
  MINIMALDATA: 1 << 6,
  DISCOURAGE_UPGRADABLE_NOPS: 1 << 7,
  CLEANSTACK: 1 << 8,
  CHECKLOCKTIMEVERIFY: 1 << 9,
  CHECKSEQUENCEVERIFY: 1 << 10,
  WITNESS: 1 << 11,
  DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM: 1 << 12,
  MINIMALIF: 1 << 13,
  NULLFAIL: 1 << 14,
  WITNESS_PUBKEYTYPE: 1 << 15,
  CONST_SCRIPTCODE: 1 << 16,
  TAPROOT: 1 << 17,
  DISCOURAGE_UPGRADABLE_TAPROOT_VERSION: 1 << 18,
  DISCOURAGE_OP_SUCCESS: 1 << 19,
  DISCOURAGE_UPGRADABLE_PUBKEYTYPE: 1 << 20,
} as const;

export type FlagName = Exclude<keyof typeof SCRIPT_VERIFY, 'NONE'>;

/** A set of verification flags, held as Core's bitmask so the interpreter tests it with one AND. */
export type VerifyFlags = number;

export const FLAG_NAMES = Object.keys(SCRIPT_VERIFY).filter((n) => n !== 'NONE') as FlagName[];

/** Consensus rules in force on mainnet today (Core's block validation flags since taproot). */
export const MANDATORY_FLAGS: VerifyFlags =
  SCRIPT_VERIFY.P2SH |
  SCRIPT_VERIFY.DERSIG |
  SCRIPT_VERIFY.NULLDUMMY |
  SCRIPT_VERIFY.CHECKLOCKTIMEVERIFY |
  SCRIPT_VERIFY.CHECKSEQUENCEVERIFY |
  SCRIPT_VERIFY.WITNESS |
  SCRIPT_VERIFY.TAPROOT;

/** Core's STANDARD_SCRIPT_VERIFY_FLAGS: the relay policy on top of consensus. */
export const STANDARD_FLAGS: VerifyFlags =
  MANDATORY_FLAGS |
  SCRIPT_VERIFY.STRICTENC |
  SCRIPT_VERIFY.MINIMALDATA |
  SCRIPT_VERIFY.DISCOURAGE_UPGRADABLE_NOPS |
  SCRIPT_VERIFY.CLEANSTACK |
  SCRIPT_VERIFY.MINIMALIF |
  SCRIPT_VERIFY.NULLFAIL |
  SCRIPT_VERIFY.LOW_S |
  SCRIPT_VERIFY.DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM |
  SCRIPT_VERIFY.WITNESS_PUBKEYTYPE |
  SCRIPT_VERIFY.CONST_SCRIPTCODE |
  SCRIPT_VERIFY.DISCOURAGE_UPGRADABLE_TAPROOT_VERSION |
  SCRIPT_VERIFY.DISCOURAGE_OP_SUCCESS |
  SCRIPT_VERIFY.DISCOURAGE_UPGRADABLE_PUBKEYTYPE;

export class FlagsError extends BaseError {
  override name = 'FlagsError';
}

/** Parses Core's comma-separated flag names (`'P2SH,WITNESS'`; empty or `NONE` for no flags). */
export function parseFlags(names: string): VerifyFlags {
  if (typeof names !== 'string') throw new FlagsError('flags must be a string of comma-separated names');
  let flags = 0;
  for (const raw of names.split(',')) {
    const name = raw.trim();
    if (name === '' || name === 'NONE') continue;
    const bit = (SCRIPT_VERIFY as Record<string, number>)[name];
    if (bit === undefined) throw new FlagsError(`unknown script verify flag "${name}"`);
    flags |= bit;
  }
  return flags;
}

/** The inverse of parseFlags, in bit order. */
export function formatFlags(flags: VerifyFlags): string {
  return FLAG_NAMES.filter((n) => flags & SCRIPT_VERIFY[n]).join(',');
}
