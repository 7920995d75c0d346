import type { Argv, CommandModule } from 'yargs';
import { ensureWorkingDirectory, executeLaunch } from '../launch/execute.js';
import { type LaunchPlan, assertLaunchable } from '../launch/plan.js';
import { UsageError } from '../errors.js';
import { isEnded } from '../registry/record.js';
import type { StoredRun } from '../registry/registry.js';
import { handlesJson, supervisorFor } from '../supervisor/index.js';
import { cliCommand } from '../format/invocation.js';
import { type GlobalArgs, openContext, out } from './context.js';

interface RestartArgs extends GlobalArgs {
  run: string;
  stop?: boolean;
  json?: boolean;
  '--'?: (string | number)[];
}

export const restartCommand: CommandModule<GlobalArgs, RestartArgs> = {
  command: 'restart <run>',
  describe:
    'Start a new run with the same script, args, cwd, env and tags (stops the old one first if it is running); arguments after -- are added after the old ones',
  builder: (yargs: Argv<GlobalArgs>) =>
    yargs
      .positional('run', { type: 'string', demandOption: true, describe: 'The run to repeat' })
      .option('stop', { type: 'boolean', default: true, describe: 'Stop the old run first if it is still running (--no-stop keeps it)' })
      .option('json', { type: 'boolean', describe: 'Print {id, name, dir, pm2Name} as JSON' })
      .example('$0 restart latest', 'the newest run again, as a new run with restartOf set')
      .example('$0 restart ppo -- --lr 1e-4', "ppo again with --lr 1e-4 after its own arguments (argparse: the last one wins)"),
  handler: async (argv) => {
    const addedArgs = (argv['--'] ?? []).map(String);
    await restart(argv.run, { stopOld: argv.stop !== false, json: Boolean(argv.json), addedArgs }, argv);
  },
};

/**
 * Pure: the launch plan that repeats a run, with `addedArgs` after its own arguments. The command
 * ends with the arguments (script or plain command alike), so they are appended to both.
 */
export function planFromRecord(run: StoredRun, addedArgs: readonly string[] = []): LaunchPlan {
  const { record } = run;
  return {
    name: record.name,
    script: record.script,
    args: [...record.args, ...addedArgs],
    command: [...record.command, ...addedArgs],
    cwd: record.cwd,
    interpreter: record.interpreter,
    tags: record.tags,
    env: record.env,
    backend: record.backend,
    // A run that asked the queue for GPUs or an order asks again; its dependencies were met once.
    ...(record.queue && (record.queue.gpus > 0 || record.queue.priority !== 0) ? { request: { gpus: record.queue.gpus, priority: record.queue.priority, after: [] } } : {}),
  };
}

export interface RestartOptions {
  stopOld: boolean;
  json: boolean;
  /** Given after `--`: appended to the old run's arguments. */
  addedArgs: string[];
}

export async function restart(selector: string, options: RestartOptions, globals: GlobalArgs): Promise<void> {
  const { config, registry } = await openContext(globals);
  const old = registry.resolve(selector);
  if (old.record.status.state === 'queued') {
    throw new UsageError(`cannot restart ${old.record.id}: it is still queued and has not started; 'rl-run stop ${old.record.id}' cancels it`);
  }
  const plan = planFromRecord(old, options.addedArgs);
  // Validate first: a record whose name or env was edited by hand, or whose cwd is gone, is refused
  // before the old run is stopped: a restart that cannot start must not have stopped anything.
  assertLaunchable(plan, `cannot restart ${old.record.id}: its record`);
  ensureWorkingDirectory(old.record.cwd, old.record.id);
  const supervisor = await supervisorFor(old.record.backend, registry);
  if (options.stopOld && !isEnded(old.record.status)) {
    await supervisor.stop(old, old.record.stopTimeoutMs ?? config.stop.timeoutMs);
    if (!options.json) out.line(`stopped ${old.record.id}`);
  }
  const run = await executeLaunch(plan, config, registry, supervisor, {
    restartOf: old.record.id,
    ...(options.addedArgs.length ? { restartArgs: options.addedArgs } : {}),
  });
  const { record, layout } = run;
  if (options.json) {
    out.json({ id: record.id, name: record.name, dir: layout.dir, ...handlesJson(record), state: record.status.state, restartOf: old.record.id, restartArgs: options.addedArgs });
    return;
  }
  const added = options.addedArgs.length ? `, with added arguments: ${options.addedArgs.join(' ')}` : '';
  out.line(`${record.status.state === 'queued' ? 'queued' : 'started'} ${record.id} (restart of ${old.record.id}${added})`);
  out.line(`  logs:   ${layout.dir}`);
  out.line(`  follow: ${cliCommand()} logs ${record.id} -f`);
}
