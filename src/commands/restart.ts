import type { Argv, CommandModule } from 'yargs';
import { ensureWorkingDirectory, executeLaunch } from '../launch/execute.js';
import type { LaunchPlan } from '../launch/plan.js';
import { isEnded } from '../registry/record.js';
import type { StoredRun } from '../registry/registry.js';
import { supervisorFor } from '../supervisor/index.js';
import { cliCommand } from '../format/invocation.js';
import { type GlobalArgs, openContext, out } from './context.js';

interface RestartArgs extends GlobalArgs {
  run: string;
  stop?: boolean;
  json?: boolean;
}

export const restartCommand: CommandModule<GlobalArgs, RestartArgs> = {
  command: 'restart <run>',
  describe: 'Start a new run with the same script, args, cwd, env and tags (stops the old one first if it is running)',
  builder: (yargs: Argv<GlobalArgs>) =>
    yargs
      .positional('run', { type: 'string', demandOption: true, describe: 'The run to repeat' })
      .option('stop', { type: 'boolean', default: true, describe: 'Stop the old run first if it is still running (--no-stop keeps it)' })
      .option('json', { type: 'boolean', describe: 'Print {id, name, dir, pm2Name} as JSON' })
      .example('$0 restart latest', 'the newest run again, as a new run with restartOf set'),
  handler: async (argv) => {
    await restart(argv.run, { stopOld: argv.stop !== false, json: Boolean(argv.json) }, argv);
  },
};

/** Pure: the launch plan that repeats a run. */
export function planFromRecord(run: StoredRun): LaunchPlan {
  const { record } = run;
  return {
    name: record.name,
    script: record.script,
    args: record.args,
    command: record.command,
    cwd: record.cwd,
    interpreter: record.interpreter,
    tags: record.tags,
    env: record.env,
    backend: record.backend,
  };
}

export async function restart(selector: string, options: { stopOld: boolean; json: boolean }, globals: GlobalArgs): Promise<void> {
  const { config, registry } = await openContext(globals);
  const old = registry.resolve(selector);
  // Before the old run is stopped: a restart that cannot start must not have stopped anything.
  ensureWorkingDirectory(old.record.cwd, old.record.id);
  const supervisor = await supervisorFor(old.record.backend, registry);
  if (options.stopOld && !isEnded(old.record.status)) {
    await supervisor.stop(old, old.record.stopTimeoutMs ?? config.stop.timeoutMs);
    if (!options.json) out.line(`stopped ${old.record.id}`);
  }
  const run = await executeLaunch(planFromRecord(old), config, registry, supervisor, { restartOf: old.record.id });
  const { record, layout } = run;
  if (options.json) {
    out.json({ id: record.id, name: record.name, dir: layout.dir, pm2Name: record.pm2Name ?? null, restartOf: old.record.id });
    return;
  }
  out.line(`started ${record.id} (restart of ${old.record.id})`);
  out.line(`  logs:   ${layout.dir}`);
  out.line(`  follow: ${cliCommand()} logs ${record.id} -f`);
}
