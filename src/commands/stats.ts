import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { UsageError, describeError, errorCode } from '../errors.js';
import { parseScoresCsv } from '../stats/scores-csv.js';
import { renderStatsTables, statsJson } from '../stats/render.js';
import { type StatsOptions, groupStatistics } from '../stats/summary.js';
import { type GlobalArgs, out } from './context.js';
import { STATS_FLAGS, type StatsFlagArgs, statsOptionsOf } from './stats-flags.js';

interface StatsArgs extends GlobalArgs, StatsFlagArgs {
  scores?: string;
  json?: boolean;
}

export const statsCommand: CommandModule<GlobalArgs, StatsArgs> = {
  command: 'stats',
  describe: 'Group statistics as rliable computes them (IQM, mean, median, optimality gap, probability of improvement) for a scores CSV',
  builder: (yargs: Argv<GlobalArgs>) =>
    yargs
      .option('scores', { type: 'string', demandOption: 'give --scores FILE.csv (columns group,task,run,score)', describe: 'CSV with a header and the columns group,task,run,score' })
      .option('json', { type: 'boolean', describe: 'Print {statistics, groups, probabilityOfImprovement} as JSON' })
      .options(STATS_FLAGS)
      .example('$0 stats --scores atari.csv', 'IQM, mean, median with 95% intervals per group, and P(X > Y)')
      .example('$0 stats --scores atari.csv --ci-method rliable --json', "rliable's numbers, as JSON")
      .example('$0 stats --scores scores.csv --gamma 100 --random-state 7', 'scores out of 100, another bootstrap seed'),
  handler: async (argv) => {
    const options = statsOptionsOf(argv);
    statsFromScores(argv.scores!, options, Boolean(argv.json));
  },
};

export function statsFromScores(file: string, options: StatsOptions, json: boolean): void {
  const groups = parseScoresCsv(readInputFile(file, '--scores'), file);
  const result = groupStatistics(groups, options);
  if (json) {
    out.json(statsJson(result, options, { metric: null, score: 'given' }));
    return;
  }
  for (const warning of result.warnings) out.warn(warning);
  out.line(renderStatsTables(result, options));
}

/** A user-named input: a regular file (a FIFO would block, a directory cannot be read), or exit 2 saying so. */
export function readInputFile(file: string, flag: string): string {
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
