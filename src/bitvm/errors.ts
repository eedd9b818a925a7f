import { BaseError } from '../shared/index.ts';

/** A script fragment is malformed or its stack use cannot be tracked (unbalanced branches, unknown depth). */
export class ScriptBuildError extends BaseError {
  override name = 'ScriptBuildError';
}

/** Winternitz parameters, keys, messages or signatures are invalid. */
export class WinternitzError extends BaseError {
  override name = 'WinternitzError';
}

/** A Winternitz key was asked to sign a second, different message: that would leak enough to forge. */
export class WinternitzKeyReuseError extends BaseError {
  override name = 'WinternitzKeyReuseError';
}

/** An assertion, chunking or disprove request does not fit the game it was built for. */
export class DisproveGameError extends BaseError {
  override name = 'DisproveGameError';
}

/** Input to a limb/hash helper is out of range (wrong length, not a nibble, not a u32). */
export class LimbRangeError extends BaseError {
  override name = 'LimbRangeError';
}
