import type { Argv, CommandModule } from 'yargs';
import { RuntimeError, UsageError } from '../errors.js';
import { colourStatus } from '../format/status.js';
import { shellQuote } from '../format/shell.js';
import { renderTable } from '../format/table.js';
import { cliCommand } from '../format/invocation.js';
import { type InterruptWatch, watchInterrupt } from '../launch/interrupt.js';
import type { LaunchFacts } from '../launch/plan.js';
import { currentUser } from '../process/index.js';
import type { ResolvedConfig } from '../config/schema.js';
import type { Registry } from '../registry/registry.js';
import { supervisorFor } from '../supervisor/index.js';
import type { Supervisor } from '../supervisor/types.js';
import { createSweep, listSweepIds, readSweep, resolveSweep, withSweepLock } from '../registry/sweep-dir.js';
import type { SweepRecord } from '../registry/sweep-record.js';
import { type CellView, cellViews, cellsToResume, countStates, statusGrid } from '../sweep/cells.js';
import { type SweepDraft, defineSweep } from '../sweep/define.js';
import { type CellOutcome, gatherSweepRuns, planCells, reconcileRuns, startCells } from '../sweep/launch.js';
import { cellLabel } from '../sweep/spec.js';
import { type GlobalArgs, listFlag, openContext, out } from './context.js';
import { wholeNumber } from './flags.js';
import { isDirectory, isExecutable, isFile } from './start.js';
import { prepareQueue } from '../launch/queue.js';

interface SweepArgs extends GlobalArgs {
  target?: string;
  sweep?: string;
  grid?: string[];
  seeds?: string;
  name?: string;
  tag?: string[];
  gpus?: number;
  argStyle?: string;
  seedKey?: string;
  backend?: 'pm2' | 'slurm';
  dryRun?: boolean;
  json?: boolean;
  includeStopped?: boolean;
  '--'?: (string | number)[];
}

export const sweepCommand: CommandModule<GlobalArgs, SweepArgs> = {
  command: 'sweep [target] [sweep]',
  describe: 'Start a grid × seeds sweep of a script (or a sweep named in runs.config.ts); sweep status|resume <sweep>; sweep ls',
  builder: (yargs: Argv<GlobalArgs>) =>
    yargs
      .positional('target', { type: 'string', describe: "The script, a sweep name from runs.config.ts, or 'status' / 'resume' / 'ls'" })
      .positional('sweep', { type: 'string', describe: 'For status and resume: the sweep (id, prefix, name, latest)' })
      .option('grid', { type: 'string', array: true, describe: 'KEY=V1,V2,…: one axis of the grid; repeat for more (values passed as written)' })
      .option('seeds', { type: 'string', describe: '1-5, 1,4,9, or 5 (meaning 1-5); default 1' })
      .option('name', { type: 'string', describe: "The sweep's name and its runs' (default: the script name)" })
      .option('tag', { type: 'string', array: true, describe: 'A tag for every run; repeat for more' })
      .option('gpus', { type: 'string', coerce: wholeNumber('gpus', 0), describe: 'GPUs per run (default 0)' })
      .option('arg-style', { type: 'string', describe: 'flag (--lr 1e-3), equals (--lr=1e-3) or hydra (lr=1e-3); default flag' })
      .option('seed-key', { type: 'string', describe: 'The seed argument\'s name (default seed)' })
      .option('backend', { choices: ['pm2', 'slurm'] as const, describe: 'Where the runs execute (slurm: one job array)' })
      .option('dry-run', { type: 'boolean', describe: "Print every cell's command and change nothing" })
      .option('json', { type: 'boolean', describe: 'JSON: {id, started, failed} for a start or resume, {id, cells: [{cell, status, runId}], counts} for status' })
      .option('include-stopped', { type: 'boolean', describe: 'resume: start stopped cells again too' })
      .example('$0 sweep train.py --grid lr=1e-3,3e-4 --grid ent-coef=0,0.01 --seeds 1-5 -- --total-timesteps 1000000', '2 × 2 × 5 = 20 runs')
      .example('$0 sweep ppo', 'the sweep named ppo in runs.config.ts')
      .example('$0 sweep status latest', "each cell's status, as a grid")
      .example('$0 sweep resume ppo', 'start again the cells with no run, or whose run failed or was lost'),
  handler: async (argv) => {
    const target = argv.target;
    if (target === undefined) throw new UsageError("give a script to sweep ('rl-run sweep train.py --grid lr=1e-3,3e-4 --seeds 3'), a config sweep's name, or status/resume <sweep>");
    const json = Boolean(argv.json);
    const dryRun = Boolean(argv.dryRun);
    if (target === 'ls' || target === 'status' || target === 'resume') {
      const stray = (['grid', 'seeds', 'name', 'tag', 'gpus', 'argStyle', 'seedKey', 'backend'] as const).find((key) => argv[key] !== undefined);
      if (stray) throw new UsageError(`sweep ${target} takes no --${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: it works on sweeps as they were made`);
    }
    if (target === 'ls') {
      if (argv.sweep !== undefined) throw new UsageError(`unexpected argument '${argv.sweep}': the usage is rl-run sweep ls [--json]`);
      return listSweeps(json, argv);
    }
    if (target === 'status' || target === 'resume') {
      if (argv.sweep === undefined) throw new UsageError(`missing <sweep>: the usage is rl-run sweep ${target} <sweep> (id, prefix, name or latest)`);
      if (target === 'status') return sweepStatus(argv.sweep, json, argv);
      return resumeSweep(argv.sweep, { includeStopped: Boolean(argv.includeStopped), dryRun, json }, argv);
    }
    if (argv.sweep !== undefined) throw new UsageError(`unexpected argument '${argv.sweep}': arguments for the script go after --`);
    if (argv.includeStopped) throw new UsageError('--include-stopped is for sweep resume');
    await startSweep(
      {
        target,
        grid: (argv.grid ?? []).map(String),
        tags: listFlag(argv.tag),
        fixedArgs: (argv['--'] ?? []).map(String),
        ...(argv.seeds !== undefined ? { seeds: String(argv.seeds) } : {}),
        ...(argv.name !== undefined ? { name: argv.name } : {}),
        ...(argv.gpus !== undefined ? { gpus: argv.gpus } : {}),
        ...(argv.argStyle !== undefined ? { argStyle: argv.argStyle } : {}),
        ...(argv.seedKey !== undefined ? { seedKey: argv.seedKey } : {}),
        ...(argv.backend !== undefined ? { backend: argv.backend } : {}),
      },
      { dryRun, json },
      argv,
    );
  },
};

function launchFacts(): LaunchFacts {
  return { cwd: process.cwd(), user: currentUser(), now: new Date(), isFile, isExecutable, isDirectory };
}

async function startSweep(input: Parameters<typeof defineSweep>[0], flags: { dryRun: boolean; json: boolean }, globals: GlobalArgs): Promise<void> {
  const interrupt = watchInterrupt();
  try {
    const { config, registry } = await openContext(globals);
    const draft: SweepDraft = defineSweep(input, config, { cwd: process.cwd(), isFile });
    // Every cell planned (script, interpreter, names checked) before anything is made.
    const all = draft.cells.map((_, index) => index);
    const plans = planCells({ ...draft, id: 'dry-run', createdAt: '' }, all, config, launchFacts());
    // The cells share one request to the queue (--gpus): one the pool can never meet is refused now.
    if (plans[0]) prepareQueue(plans[0].plan, config, registry);
    if (flags.dryRun) {
      if (flags.json) return out.json({ id: null, dryRun: true, cells: plans.map(({ index, plan }) => ({ cell: draft.cells[index]!.cell, command: plan.command })) });
      for (const { plan } of plans) out.line(plan.command.map(shellQuote).join(' '));
      out.line(`dry run: ${plans.length} ${plans.length === 1 ? 'cell' : 'cells'}; nothing was created`);
      return;
    }
    // The backend is reached before the sweep is made: no sbatch here means nothing is made.
    const supervisor = await supervisorFor(draft.options.backend, registry);
    registry.ensureRunsDir();
    const sweep = createSweep(registry.runsDir, draft.name, new Date(), (id) => ({ ...draft, id, createdAt: new Date().toISOString() }));
    if (!flags.json) out.line(`sweep ${sweep.id}: ${sweep.cells.length} ${sweep.cells.length === 1 ? 'cell' : 'cells'}`);
    await withSweepLock(registry.runsDir, sweep.id, () => launch(sweep, all, { registry, config, supervisor }, interrupt, flags.json));
  } finally {
    interrupt.close();
  }
}

async function resumeSweep(selector: string, flags: { includeStopped: boolean; dryRun: boolean; json: boolean }, globals: GlobalArgs): Promise<void> {
  const interrupt = watchInterrupt();
  try {
    const { config, registry } = await openContext(globals);
    const id = resolveSweep(registry.runsDir, selector);
    const supervisor = flags.dryRun ? null : await supervisorFor(readSweep(registry.runsDir, id).options.backend, registry);
    const decide = () => {
      const sweep = readSweep(registry.runsDir, id);
      const views = cellViews(sweep, gatherSweepRuns(registry, id));
      return { sweep, views, chosen: cellsToResume(views, flags.includeStopped) };
    };
    if (flags.dryRun) {
      const { sweep, chosen } = decide();
      const plans = planCells(sweep, chosen.map((view) => view.index), config, launchFacts());
      if (flags.json) return out.json({ id, dryRun: true, cells: plans.map(({ index, plan }) => ({ cell: sweep.cells[index]!.cell, command: plan.command })) });
      for (const { plan } of plans) out.line(plan.command.map(shellQuote).join(' '));
      out.line(`dry run: ${plans.length} ${plans.length === 1 ? 'cell' : 'cells'} would start; nothing was changed`);
      return;
    }
    // Decided and started under the sweep's lock: a second resume at once waits, then sees these runs.
    await withSweepLock(
      registry.runsDir,
      id,
      async () => {
        const { sweep, views, chosen } = decide();
        if (chosen.length === 0) {
          if (flags.json) return out.json({ id, started: [], cells: cellsJson(views) });
          const stopped = views.filter((view) => view.status === 'stopped').length;
          out.line(`nothing to resume in ${id}: ${summary(countStates(views))}${stopped && !flags.includeStopped ? " (--include-stopped starts the stopped ones)" : ''}`);
          return;
        }
        if (!flags.json) out.line(`resuming ${chosen.length} of ${sweep.cells.length} cells of ${id}`);
        await launch(sweep, chosen.map((view) => view.index), { registry, config, supervisor: supervisor! }, interrupt, flags.json);
      },
      (holder) => out.warn(`sweep ${id} is being changed by process ${holder}; waiting for it`),
    );
  } finally {
    interrupt.close();
  }
}

async function launch(
  sweep: SweepRecord,
  indices: number[],
  { registry, config, supervisor }: { registry: Registry; config: ResolvedConfig; supervisor: Supervisor },
  interrupt: InterruptWatch,
  json: boolean,
): Promise<void> {
  const plans = planCells(sweep, indices, config, launchFacts());
  const outcomes = await startCells(sweep.id, plans, config, registry, supervisor, interrupt, (outcome) => {
    if (!json) out.line(outcomeLine(sweep, outcome));
  });
  reconcileRuns(registry, sweep.id, gatherSweepRuns(registry, sweep.id));
  const failed = outcomes.filter((outcome) => outcome.error !== undefined);
  if (json) {
    out.json({
      id: sweep.id,
      started: outcomes.filter((o) => o.run).map((o) => ({ cell: sweep.cells[o.index]!.cell, runId: o.run!.record.id, status: o.run!.record.status.state })),
      failed: failed.map((o) => ({ cell: sweep.cells[o.index]!.cell, error: o.error })),
    });
  } else {
    const queued = outcomes.filter((o) => o.run?.record.status.state === 'queued').length;
    if (queued > 0) out.line(`  ${queued} queued: rl-run's queue starts them as slots and GPUs free up ('${cliCommand()} ls --status queued')`);
    out.line(`  status: ${cliCommand()} sweep status ${sweep.id}`);
  }
  if (interrupt.signal && outcomes.length < indices.length) {
    throw new RuntimeError(`sweep interrupted: ${outcomes.length} of ${indices.length} cells were started; '${cliCommand()} sweep resume ${sweep.id}' starts the rest`);
  }
  if (failed.length) {
    throw new RuntimeError(`${failed.length} of ${indices.length} cells did not start (first: ${failed[0]!.error}); '${cliCommand()} sweep resume ${sweep.id}' tries them again`);
  }
}

function outcomeLine(sweep: SweepRecord, outcome: CellOutcome): string {
  const label = cellLabel(sweep.cells[outcome.index]!.cell);
  if (outcome.error !== undefined) return `  failed to start ${label}: ${outcome.error}`;
  const { record } = outcome.run!;
  const state = record.status.state === 'running' ? 'started' : record.status.state;
  return `  ${state} ${record.id}  ${label}`;
}

async function sweepStatus(selector: string, json: boolean, globals: GlobalArgs): Promise<void> {
  const { registry } = await openContext(globals);
  const id = resolveSweep(registry.runsDir, selector);
  const sweep = readSweep(registry.runsDir, id);
  const views = cellViews(sweep, gatherSweepRuns(registry, id));
  const counts = countStates(views);
  if (json) return out.json({ id, cells: cellsJson(views), counts });
  out.line(`sweep ${id}: ${sweep.script} ${sweep.cells.length} cells (${sweep.options.backend})`);
  const rows = statusGrid(sweep, views);
  out.line(
    renderTable(
      [...sweep.grid.map((axis) => axis.key.toUpperCase()), ...sweep.seeds.map((seed) => `${sweep.options.seedKey.toUpperCase()} ${seed}`)],
      rows.map((row) => [...sweep.grid.map((axis) => row.combo[axis.key]!), ...row.bySeed.map((view) => (view ? colourStatus(view.status, out.colour) : '-'))]),
    ),
  );
  out.line(summary(counts));
}

async function listSweeps(json: boolean, globals: GlobalArgs): Promise<void> {
  const { registry } = await openContext(globals);
  const ids = listSweepIds(registry.runsDir);
  const runs = registry.list({ filter: ({ record }) => record.sweep !== undefined }).runs;
  const rows = ids.map((id) => {
    const sweep = readSweep(registry.runsDir, id);
    const facts = runs.filter(({ record }) => record.sweep!.id === id).map(({ record }) => ({ id: record.id, createdAt: record.createdAt, cell: record.sweep!.cell, state: record.status.state }));
    return { id, script: sweep.script, cells: sweep.cells.length, backend: sweep.options.backend, createdAt: sweep.createdAt, counts: countStates(cellViews(sweep, facts)) };
  });
  if (json) return out.json(rows);
  if (rows.length === 0) return out.line(`no sweeps in ${registry.runsDir}; make one with 'rl-run sweep <script> --grid KEY=V1,V2 --seeds 3'`);
  out.line(renderTable(['ID', 'CELLS', 'BACKEND', 'STATUS', 'SCRIPT'], rows.map((row) => [row.id, String(row.cells), row.backend, summary(row.counts), row.script])));
}

function cellsJson(views: readonly CellView[]): { cell: CellView['cell']; status: string; runId: string | null }[] {
  return views.map((view) => ({ cell: view.cell, status: view.status, runId: view.runId }));
}

function summary(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
}
