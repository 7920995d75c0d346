import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import { parseTimeout } from '../format/time.js';
import { statusFields } from '../registry/record.js';
import { supervisorFor } from '../supervisor/index.js';
import { type GlobalArgs, openContext, out } from './context.js';

interface StopArgs extends GlobalArgs {
  runs: string[];
  timeout?: string;
}

export const stopCommand: CommandModule<GlobalArgs, StopArgs> = {
  command: 'stop <runs..>',
  describe: 'Stop runs: SIGINT to the script, SIGKILL to its whole process tree after the grace period',
  builder: (yargs: Argv<GlobalArgs>) =>
    yargs
      .positional('runs', { type: 'string', array: true, demandOption: true, describe: 'Runs to stop (id, prefix, name, latest~N)' })
      .option('timeout', { type: 'string', describe: 'Grace period before SIGKILL: 30s, 2m, 500ms (default: stop.timeoutMs, 30 s)' })
      .example('$0 stop latest', 'SIGINT the newest run; it has 30 s to save a checkpoint')
      .example('$0 stop ppo sac --timeout 2m', 'two runs, two minutes each'),
  handler: async (argv) => {
    await stop(argv.runs, argv.timeout, argv);
  },
};

export async function stop(selectors: string[], timeout: string | undefined, globals: GlobalArgs): Promise<void> {
  const timeoutMs = timeout === undefined ? undefined : parseTimeout(timeout);
  if (timeoutMs === null) throw new UsageError(`--timeout ${timeout}: expected a duration such as 30s, 2m or 500ms`);
  const { config, registry } = await openContext(globals);
  // Resolve every selector before stopping anything, so a typo stops nothing.
  const runs = selectors.map((selector) => registry.resolve(selector));
  for (const run of runs) {
    const supervisor = await supervisorFor(run.record.backend, registry);
    const outcome = await supervisor.stop(run, timeoutMs ?? run.record.stopTimeoutMs ?? config.stop.timeoutMs);
    if (outcome === 'already-ended') {
      out.line(`${run.record.id} had already ended (${statusFields(run.record.status).status})`);
      continue;
    }
    const after = registry.readRaw(run.record.id);
    const fields = after.ok ? statusFields(after.run.record.status) : undefined;
    const how = outcome === 'killed' ? 'killed after the grace period' : `exit ${fields?.signal ?? fields?.exitCode ?? '?'}`;
    out.line(`stopped ${run.record.id} (${how})`);
  }
}
