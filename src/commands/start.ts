import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { executeLaunch } from '../launch/execute.js';
import { type InterruptWatch, watchInterrupt } from '../launch/interrupt.js';
import { type StartOptions, planLaunch } from '../launch/plan.js';
import { currentUser } from '../process/index.js';
import { backendOf, handlesJson, supervisorFor } from '../supervisor/index.js';
import { cliCommand } from '../format/invocation.js';
import { resumeWithFlags } from '../resume/args.js';
import { type GlobalArgs, listFlag, openContext, out } from './context.js';
import { singleFlag } from './flags.js';
import { applyWatchdogFlag } from '../config/watching.js';
import { wholeNumber } from './flags.js';
import { RuntimeError } from '../errors.js';
import { launchState, queuePlace } from '../queue/positions.js';

interface StartArgs extends GlobalArgs {
  script?: string;
  name?: string;
  tag?: string[];
  env?: string[];
  cwd?: string;
  interpreter?: string;
  backend?: 'pm2' | 'slurm';
  watchdog?: string;
  gpus?: number;
  after?: string | string[];
  priority?: number;
  json?: boolean;
  'resume-checkpoint'?: string;
  'resume-args'?: string;
  '--'?: (string | number)[];
}

export const startCommand: CommandModule<GlobalArgs, StartArgs> = {
  command: 'start [script]',
  describe: 'Start a new run of a script (or of a command after --)',
  builder: (yargs: Argv<GlobalArgs>) =>
    yargs
      .positional('script', { type: 'string', describe: 'The script to run; its extension picks the interpreter' })
      .option('name', { type: 'string', describe: 'Run name (default: the script name)' })
      .option('tag', { type: 'string', array: true, describe: 'A tag; repeat for more' })
      .option('env', { type: 'string', array: true, describe: 'KEY=VALUE for the script; repeat for more' })
      .option('cwd', { type: 'string', describe: 'Working directory of the script' })
      .option('interpreter', { type: 'string', describe: 'Interpreter for the script (e.g. .venv/bin/python)' })
      .option('backend', { choices: ['pm2', 'slurm'] as const, describe: 'Where the run executes' })
      .option('watchdog', { type: 'string', describe: "Watch for NaN and stalls: 'on', 'off', or e.g. nan,stall=30m,action=stop (over the config's watchdog)" })
      .option('gpus', { type: 'string', coerce: wholeNumber('gpus', 0), describe: "GPUs from the queue's pool (queue.gpus); the script sees exactly them in CUDA_VISIBLE_DEVICES" })
      .option('after', { type: 'string', describe: 'Wait until this run has succeeded (repeat for more); fails without starting if it does not' })
      .option('priority', { type: 'string', coerce: wholeNumber('priority', Number.MIN_SAFE_INTEGER), describe: 'Queue order: higher starts first, then the oldest (default 0)' })
      .option('json', { type: 'boolean', describe: 'Print {id, name, dir, pm2Name, state} as JSON' })
      .option('resume-checkpoint', { type: 'string', describe: "Glob of the run's checkpoints inside its directory, for resuming (config: resume.checkpoint)" })
      .option('resume-args', { type: 'string', describe: "Arguments that resume from {checkpoint}, e.g. '--resume {checkpoint}' (config: resume.args)" })
      .example('$0 start train.py -- --lr 3e-4', 'a run of train.py with its own id, logs and record')
      .example('$0 start train.py --gpus 1 --after ppo', 'on one GPU of the pool, once the run ppo has succeeded')
      .example('$0 start train.py --name ppo --tag sweep -- --seed 1', 'named and tagged')
      .example('$0 start -- python3 -m pkg.train --x 1', 'a plain command'),
  handler: async (argv) => {
    const options: StartOptions = {
      script: argv.script ?? null,
      rest: (argv['--'] ?? []).map(String),
      tags: listFlag(argv.tag),
      env: (argv.env ?? []).map(String),
      ...(argv.name !== undefined ? { name: argv.name } : {}),
      ...(argv.cwd !== undefined ? { cwd: argv.cwd } : {}),
      ...(argv.interpreter !== undefined ? { interpreter: argv.interpreter } : {}),
      ...(argv.backend !== undefined ? { backend: argv.backend } : {}),
      ...(argv.watchdog !== undefined ? { watchdog: singleFlag('watchdog', argv.watchdog) } : {}),
      ...(argv.gpus !== undefined ? { gpus: argv.gpus } : {}),
      ...(argv.after !== undefined ? { after: listFlag(argv.after) } : {}),
      ...(argv.priority !== undefined ? { priority: argv.priority } : {}),
      ...(argv['resume-checkpoint'] !== undefined ? { resumeCheckpoint: argv['resume-checkpoint'] } : {}),
      ...(argv['resume-args'] !== undefined ? { resumeArgs: argv['resume-args'] } : {}),
    };
    // Checked before the config loads, so a bad spec starts nothing.
    if (options.watchdog !== undefined) applyWatchdogFlag(options.watchdog, null);
    await start(options, argv, Boolean(argv.json));
  },
};

export async function start(options: StartOptions, globals: GlobalArgs, json: boolean): Promise<void> {
  // From the first moment, so that a Ctrl-C while the config loads or pm2 connects is answered too.
  const interrupt = watchInterrupt();
  try {
    await startWatched(options, globals, json, interrupt);
  } finally {
    interrupt.close();
  }
}

async function startWatched(options: StartOptions, globals: GlobalArgs, json: boolean, interrupt: InterruptWatch): Promise<void> {
  const { config: loaded, registry } = await openContext(globals);
  const resume = resumeWithFlags(loaded.resume, {
    ...(options.resumeCheckpoint !== undefined ? { checkpoint: options.resumeCheckpoint } : {}),
    ...(options.resumeArgs !== undefined ? { args: options.resumeArgs } : {}),
  });
  const config = {
    ...loaded,
    resume,
    ...(options.watchdog === undefined ? {} : { watchdog: applyWatchdogFlag(options.watchdog, loaded.watchdog) }),
  };
  const plan = planLaunch(options, config, {
    cwd: process.cwd(),
    user: currentUser(),
    now: new Date(),
    isFile,
    isExecutable,
    isDirectory,
  });
  const supervisor = await supervisorFor(plan.backend, registry);
  const run = await executeLaunch(plan, config, registry, supervisor, { interrupt });
  const { record, layout } = run;
  const queued = record.status.state === 'queued' ? queuePlace(registry.runsDir, record) : null;
  if (json) {
    out.json({ id: record.id, name: record.name, dir: layout.dir, ...handlesJson(record), ...launchState(record), ...(queued ? { position: queued.position } : {}) });
    return;
  }
  if (record.status.state === 'failed') throw new RuntimeError(`run ${record.id} failed without starting: ${record.status.reason}`);
  if (queued) {
    out.line(`queued ${record.id} (#${queued.position} in the queue: ${queued.reason})`);
    out.line(`  see:    ${cliCommand()} ls --status queued`);
    return;
  }
  out.line(`started ${record.id}${backendOf(record.backend).startedNote(record)}${record.gpus?.length ? ` on GPU ${record.gpus.join(',')}` : ''}`);
  out.line(`  logs:   ${layout.dir}`);
  out.line(`  follow: ${cliCommand()} logs ${record.id} -f`);
}

export function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

export function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

export function isExecutable(program: string): boolean {
  const candidates = program.includes('/')
    ? [path.resolve(program)]
    : (process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, program));
  return candidates.some((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return statSync(candidate).isFile();
    } catch {
      return false;
    }
  });
}
