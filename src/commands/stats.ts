import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { UsageError, describeError, errorCode } from '../errors.js';
import { formatValue } from '../format/numbers.js';
import { renderTable } from '../format/table.js';
import { parseScoresCsv } from '../stats/scores-csv.js';
import { type CiMethod, DEFAULT_STATS_OPTIONS, type Estimate, type StatsOptions, type StatsResult, groupStatistics } from '../stats/summary.js';
import { type GlobalArgs, out } from './context.js';
import { wholeNumber } from './flags.js';

interface StatsArgs extends GlobalArgs {
  scores?: string;
  json?: boolean;
  reps?: number;
  poiReps?: number;
  confidence?: number;
  randomState?: number;
  ciMethod?: CiMethod;
  gamma?: number;
}

export const statsCommand: CommandModule<GlobalArgs, StatsArgs> = {
  command: 'stats',
  describe: 'Group statistics as rliable computes them (IQM, mean, median, optimality gap, probability of improvement) for a scores CSV',
  builder: (yargs: Argv<GlobalArgs>) =>
    yargs
      .option('scores', { type: 'string', demandOption: 'give --scores FILE.csv (columns group,task,run,score)', describe: 'CSV with a header and the columns group,task,run,score' })
      .option('json', { type: 'boolean', describe: 'Print {statistics, groups, probabilityOfImprovement} as JSON' })
      .option('reps', { type: 'string', coerce: atMost(wholeNumber('reps', 1), 'reps', MAX_REPS), describe: 'Bootstrap repetitions for IQM, mean, median, optimality gap (default 50000)' })
      .option('poi-reps', { type: 'string', coerce: atMost(wholeNumber('poi-reps', 1), 'poi-reps', MAX_REPS), describe: 'Bootstrap repetitions for probability of improvement (default 2000)' })
      .option('confidence', { type: 'string', coerce: fraction('confidence'), describe: 'Confidence level of the intervals (default 0.95)' })
      .option('random-state', { type: 'string', coerce: wholeNumber('random-state', 0), describe: 'Seed of the bootstrap (default 42): the same input and seed give the same intervals' })
      .option('ci-method', { type: 'string', choices: ['auto', 'rliable'], describe: "auto: a t interval for one task's mean, bootstrap otherwise, a warning under 5 runs; rliable: rliable's bootstrap throughout" })
      .option('gamma', { type: 'string', coerce: finite('gamma'), describe: 'The score counted as optimal by the optimality gap (default 1)' })
      .example('$0 stats --scores atari.csv', 'IQM, mean, median with 95% intervals per group, and P(X > Y)')
      .example('$0 stats --scores atari.csv --ci-method rliable --json', "rliable's numbers, as JSON")
      .example('$0 stats --scores scores.csv --gamma 100 --random-state 7', 'scores out of 100, another bootstrap seed'),
  handler: async (argv) => {
    const options: StatsOptions = {
      ciMethod: argv.ciMethod ?? DEFAULT_STATS_OPTIONS.ciMethod,
      confidence: argv.confidence ?? DEFAULT_STATS_OPTIONS.confidence,
      reps: argv.reps ?? DEFAULT_STATS_OPTIONS.reps,
      poiReps: argv.poiReps ?? DEFAULT_STATS_OPTIONS.poiReps,
      randomState: argv.randomState ?? DEFAULT_STATS_OPTIONS.randomState,
      gamma: argv.gamma ?? DEFAULT_STATS_OPTIONS.gamma,
    };
    statsFromScores(argv.scores!, options, Boolean(argv.json));
  },
};

export function statsFromScores(file: string, options: StatsOptions, json: boolean): void {
  const groups = parseScoresCsv(readInputFile(file, '--scores'), file);
  const result = groupStatistics(groups, options);
  if (json) {
    out.json(statsJson(result, options));
    return;
  }
  for (const warning of result.warnings) out.warn(warning);
  out.line(renderStatsTables(result, options));
}

export function statsJson(result: StatsResult, options: StatsOptions): unknown {
  const { ciMethod, confidence, reps, poiReps, randomState } = options;
  return {
    statistics: { metric: null, score: 'given', ciMethod, confidence, reps, poiReps, randomState },
    groups: result.groups.map(({ label, n, runs, tasks, iqm, mean, median, optimalityGap }) => ({ label, n, runs, tasks, iqm, mean, median, optimalityGap })),
    probabilityOfImprovement: result.probabilityOfImprovement,
  };
}

export function renderStatsTables(result: StatsResult, options: StatsOptions): string {
  const cell = ({ value, ci }: Estimate) => (ci ? `${formatValue(value)} [${formatValue(ci[0])}, ${formatValue(ci[1])}]` : formatValue(value));
  const level = `${Number((options.confidence * 100).toPrecision(6))}%`;
  const groups = renderTable(
    ['GROUP', 'N', `IQM [${level}]`, 'MEAN', 'MEDIAN', `OPT. GAP (γ=${formatValue(options.gamma)})`],
    result.groups.map((g) => [g.label, String(g.n), cell(g.iqm), cell(g.mean), cell(g.median), cell(g.optimalityGap)]),
  );
  if (result.groups.length < 2) return groups;
  const labels = result.groups.map((g) => g.label);
  const pairs = new Map(result.probabilityOfImprovement.map((p) => [`${p.x}\0${p.y}`, p]));
  const matrix = renderTable(
    ['P(ROW > COLUMN)', ...labels],
    labels.map((x) => [
      x,
      ...labels.map((y) => {
        if (x === y) return '-';
        const direct = pairs.get(`${x}\0${y}`);
        if (direct) return cell(direct);
        // P(Y > X) = 1 − P(X > Y), ties included, for the value and (mirrored) for the interval.
        const other = pairs.get(`${y}\0${x}`)!;
        return cell({ value: 1 - other.value, ci: other.ci ? [1 - other.ci[1], 1 - other.ci[0]] : null });
      }),
    ]),
  );
  return `${groups}\n\nprobability of improvement:\n${matrix}`;
}

/** A user-named input: a regular file (a FIFO would block, a directory cannot be read), or exit 2 saying so. */
function readInputFile(file: string, flag: string): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') throw new UsageError(`${flag} ${file}: no such file`);
    throw new UsageError(`${flag} ${file}: cannot read it (${describeError(error)})`);
  }
  try {
    if (!fstatSync(fd).isFile()) throw new UsageError(`${flag} ${file}: not a regular file; give a CSV file`);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
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

function fraction(flag: string): (value: unknown) => number {
  return (value) => {
    const number = finite(flag)(value);
    if (!(number > 0 && number < 1)) throw new UsageError(`--${flag} ${String(value).trim()}: expected a number between 0 and 1, such as 0.95`);
    return number;
  };
}

function finite(flag: string): (value: unknown) => number {
  return (value) => {
    if (Array.isArray(value)) throw new UsageError(`--${flag} given ${value.length} times: give it once`);
    const text = String(value).trim();
    const number = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isFinite(number)) throw new UsageError(`--${flag} ${text}: expected a number`);
    return number;
  };
}
