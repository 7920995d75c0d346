import type { Options } from 'yargs';
import { UsageError } from '../errors.js';
import { type CiMethod, DEFAULT_STATS_OPTIONS, type StatsOptions } from '../stats/summary.js';
import { wholeNumber } from './flags.js';

/** The statistics flags `stats` and `compare` share, each checked while yargs parses (exit 2, one line). */
export interface StatsFlagArgs {
  reps?: number;
  poiReps?: number;
  confidence?: number;
  randomState?: number;
  ciMethod?: CiMethod;
  gamma?: number;
}

/** Each repetition keeps 8 bytes per statistic until the percentiles are taken: a typo of a few zeros should not exhaust memory. */
const MAX_REPS = 10_000_000;

function atMost(parse: (value: unknown) => number, flag: string, max: number): (value: unknown) => number {
  return (value) => {
    const number = parse(value);
    if (number > max) throw new UsageError(`--${flag} ${number}: at most ${max}`);
    return number;
  };
}

export function fraction(flag: string): (value: unknown) => number {
  return (value) => {
    const number = finite(flag)(value);
    if (!(number > 0 && number < 1)) throw new UsageError(`--${flag} ${String(value).trim()}: expected a number between 0 and 1, such as 0.95`);
    return number;
  };
}

export function finite(flag: string): (value: unknown) => number {
  return (value) => {
    if (Array.isArray(value)) throw new UsageError(`--${flag} given ${value.length} times: give it once`);
    const text = String(value).trim();
    const number = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isFinite(number)) throw new UsageError(`--${flag} ${text}: expected a number`);
    return number;
  };
}

export const STATS_FLAGS = {
  reps: { type: 'string', coerce: atMost(wholeNumber('reps', 1), 'reps', MAX_REPS), describe: 'Bootstrap repetitions for IQM, mean, median, optimality gap (default 50000)' },
  'poi-reps': { type: 'string', coerce: atMost(wholeNumber('poi-reps', 1), 'poi-reps', MAX_REPS), describe: 'Bootstrap repetitions for probability of improvement (default 2000)' },
  confidence: { type: 'string', coerce: fraction('confidence'), describe: 'Confidence level of the intervals (default 0.95)' },
  'random-state': { type: 'string', coerce: wholeNumber('random-state', 0), describe: 'Seed of the bootstrap (default 42): the same input and seed give the same intervals' },
  'ci-method': { type: 'string', choices: ['auto', 'rliable'], describe: "auto: a t interval for one task's mean, bootstrap otherwise, a warning under 5 runs; rliable: rliable's bootstrap throughout" },
  gamma: { type: 'string', coerce: finite('gamma'), describe: 'The score counted as optimal by the optimality gap (default 1)' },
} satisfies Record<string, Options>;

export function statsOptionsOf(argv: StatsFlagArgs): StatsOptions {
  return {
    ciMethod: argv.ciMethod ?? DEFAULT_STATS_OPTIONS.ciMethod,
    confidence: argv.confidence ?? DEFAULT_STATS_OPTIONS.confidence,
    reps: argv.reps ?? DEFAULT_STATS_OPTIONS.reps,
    poiReps: argv.poiReps ?? DEFAULT_STATS_OPTIONS.poiReps,
    randomState: argv.randomState ?? DEFAULT_STATS_OPTIONS.randomState,
    gamma: argv.gamma ?? DEFAULT_STATS_OPTIONS.gamma,
  };
}
