import { statSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import { type FollowSource, followFiles } from '../logs/follow.js';
import { readLastLines } from '../logs/tail.js';
import { isEnded } from '../registry/record.js';
import { type GlobalArgs, openContext, out } from './context.js';
import { wholeNumber } from './flags.js';

interface LogsArgs extends GlobalArgs {
  run: string;
  lines?: number;
  stderr?: boolean;
  all?: boolean;
  follow?: boolean;
}

export interface LogsOptions {
  selector: string;
  lines: number;
  streams: 'stdout' | 'stderr' | 'all';
  follow: boolean;
}

export const logsCommand: CommandModule<GlobalArgs, LogsArgs> = {
  command: 'logs <run>',
  describe: "Print a run's output (its own files: never another run's)",
  builder: (yargs: Argv<GlobalArgs>) =>
    yargs
      .positional('run', { type: 'string', demandOption: true, describe: 'id, id prefix, name, latest or latest~N' })
      .option('lines', { alias: 'n', type: 'string', coerce: wholeNumber('lines', 0), describe: 'How many lines from the end (default 50)' })
      .option('stderr', { type: 'boolean', describe: 'stderr instead of stdout' })
      .option('all', { type: 'boolean', describe: 'stdout and stderr, each line labelled' })
      .option('follow', { alias: 'f', type: 'boolean', describe: 'Keep printing new lines until the run ends (or Ctrl-C)' })
      .example('$0 logs latest -f', 'follow the newest run')
      .example('$0 logs ppo -n 200 --stderr', "the last 200 lines of ppo's stderr"),
  handler: async (argv) => {
    await logs(
      {
        selector: argv.run,
        lines: argv.lines ?? 50,
        streams: argv.all ? 'all' : argv.stderr ? 'stderr' : 'stdout',
        follow: Boolean(argv.follow),
      },
      argv,
    );
  },
};

export async function logs(options: LogsOptions, globals: GlobalArgs): Promise<void> {
  if (!Number.isInteger(options.lines) || options.lines < 0) {
    throw new UsageError(`--lines ${options.lines}: expected a whole number >= 0`);
  }
  const { registry } = await openContext(globals);
  const { record, layout } = registry.resolve(options.selector);
  const sources: FollowSource[] =
    options.streams === 'all'
      ? [
          { file: layout.stdout, label: '[out] ' },
          { file: layout.stderr, label: '[err] ' },
        ]
      : [{ file: options.streams === 'stderr' ? layout.stderr : layout.stdout, label: '' }];

  // Sizes first, so that nothing written between the tail and the follow is lost or printed twice.
  const from = sources.map((source) => sizeOf(source.file));
  sources.forEach((source, i) => {
    for (const line of readLastLines(source.file, options.lines, from[i])) out.line(`${source.label}${line}`);
  });
  if (!options.follow || isEnded(record.status)) return;

  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let lastCheck = 0;
  let ended = false;
  try {
    await followFiles({
      sources,
      from,
      write: (text) => process.stdout.write(text),
      raw: Boolean(process.stdout.isTTY),
      signal: controller.signal,
      hasEnded: () => {
        // The record is small, but there is no need to read it ten times a second.
        if (Date.now() - lastCheck < 250) return ended;
        lastCheck = Date.now();
        const current = registry.read(record.id);
        ended = current.ok && isEnded(current.run.record.status);
        return ended;
      },
    });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

