import { statSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import { type FollowSource, followFiles } from '../logs/follow.js';
import { readLastLinesInOrder } from '../logs/order.js';
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
      .option('all', { type: 'boolean', describe: 'stdout and stderr, each line labelled, in the order written (to 1/4 s)' })
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
  // Python's logging and tqdm write to stderr: a script that prints nothing else left `logs` blank.
  // Following a run, both are followed then, so that what it prints later is not missed.
  const following = options.follow && !isEnded(record.status);
  const fallback = options.streams === 'stdout' && sizeOf(layout.stdout) === 0 && sizeOf(layout.stderr) > 0;
  const streams = fallback ? (following ? 'all' : 'stderr') : options.streams;
  if (fallback) process.stderr.write(`rl-run: stdout.log is empty; showing stderr.log${following ? ' (following both, as --all)' : ''}\n`);
  const sources: FollowSource[] =
    streams === 'all'
      ? [
          { file: layout.stdout, label: '[out] ' },
          { file: layout.stderr, label: '[err] ' },
        ]
      : [{ file: streams === 'stderr' ? layout.stderr : layout.stdout, label: '' }];

  // Sizes first, so that nothing written between the tail and the follow is lost or printed twice.
  const from = sources.map((source) => sizeOf(source.file));
  if (streams === 'all') {
    const tail = readLastLinesInOrder({ stdout: layout.stdout, stderr: layout.stderr, index: layout.outputIndex }, options.lines, [from[0] ?? 0, from[1] ?? 0]);
    if (!tail.ordered && new Set(tail.lines.map((line) => line.stream)).size > 1) {
      process.stderr.write('rl-run: this run has no output.idx (an older rl-run, or SLURM): the last lines of stdout, then of stderr; their order is not known\n');
    }
    for (const line of tail.lines) out.line(`[${line.stream}] ${line.text}`);
  } else {
    for (const line of readLastLines(sources[0]!.file, options.lines, from[0])) out.line(line);
  }
  if (!following) return;

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

