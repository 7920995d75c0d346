import { UsageError } from '../errors.js';

/**
 * A yargs `coerce` for a whole-number flag, declared `type: 'string'` so that the message quotes
 * what was typed: yargs' own number type turns `--limit abc` into NaN and `-n 0x10` into 16.
 * It runs while yargs parses, so a bad value stops the command before its handler.
 */
export function wholeNumber(flag: string, min: number): (value: unknown) => number {
  return (value) => {
    if (Array.isArray(value)) throw new UsageError(`--${flag} given ${value.length} times: give it once`);
    const text = String(value).trim();
    if (text === '') throw new UsageError(`--${flag} needs a value: a whole number >= ${min}`);
    const number = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(number) || number < min) throw new UsageError(`--${flag} ${text}: expected a whole number >= ${min}`);
    return number;
  };
}

/** A string flag given once; `--x a --x b` is a UsageError rather than a silent array. */
export function singleFlag(flag: string, value: unknown): string {
  if (Array.isArray(value)) throw new UsageError(`--${flag} given ${value.length} times: give it once`);
  return String(value);
}
