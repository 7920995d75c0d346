import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import { parseTimeout } from '../format/time.js';
import { top } from '../watch/top.js';
import { type GlobalArgs, openContext, out } from './context.js';

interface TopArgs extends GlobalArgs {
  interval?: string;
}

export const topCommand: CommandModule<GlobalArgs, TopArgs> = {
  command: 'top',
  aliases: ['watch'],
  describe: 'A live view of running and queued runs: step, steps/s, ETA, main metric, CPU, memory, GPU',
  builder: (yargs: Argv<GlobalArgs>) =>
    yargs
      .option('interval', { type: 'string', describe: 'Time between refreshes: 2s, 500ms, 1m (default 2s)' })
      .example('$0 top', '↑/↓ select a run, l its last log lines, s stop it, q quit')
      .example('$0 top | cat', 'the table once, for a script'),
  handler: async (argv) => {
    const intervalMs = argv.interval === undefined ? 2_000 : parseTimeout(argv.interval);
    if (intervalMs === null || intervalMs < 100) throw new UsageError(`--interval ${argv.interval}: expected a duration of at least 100ms, such as 2s or 500ms`);
    await top({ intervalMs, print: (text) => out.line(text), colour: out.colour }, await openContext(argv));
  },
};
