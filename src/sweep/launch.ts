import type { ResolvedConfig } from '../config/schema.js';
import { describeError } from '../errors.js';
import { createRun, executeLaunch, markFailed } from '../launch/execute.js';
import { dispatchNow } from '../launch/queue.js';
import type { InterruptWatch } from '../launch/interrupt.js';
import { type LaunchFacts, type LaunchPlan, type StartOptions, planLaunch } from '../launch/plan.js';
import type { Registry, StoredRun } from '../registry/registry.js';
import { readSweep, writeArrayScript, writeSweep } from '../registry/sweep-dir.js';
import type { SweepRecord } from '../registry/sweep-record.js';
import type { Supervisor } from '../supervisor/types.js';
import { type SweepRunFact, cellViews } from './cells.js';
import { type Cell, cellArgs } from './spec.js';

/**
 * Starts a sweep's cells through the same path `rl-run start` takes (planLaunch, then
 * executeLaunch), so whatever `start` does with a run (a queue, GPU placement) a cell gets too.
 * A backend that takes many runs as one submission (SLURM's job array) gets them all at once.
 */

/** What `rl-run start` would be given for one cell. Pure. */
export function cellStartOptions(sweep: SweepRecord, cell: Cell): StartOptions {
  return {
    script: sweep.script,
    rest: [...sweep.fixedArgs, ...cellArgs(cell, { grid: sweep.grid, argStyle: sweep.options.argStyle, seedKey: sweep.options.seedKey })],
    name: sweep.name,
    tags: sweep.options.tags,
    env: sweep.options.env,
    cwd: sweep.cwd,
    ...(sweep.options.interpreter !== null ? { interpreter: sweep.options.interpreter } : {}),
    backend: sweep.options.backend,
    sweep: { id: sweep.id, cell },
    ...(sweep.options.gpus > 0 ? { gpus: sweep.options.gpus } : {}),
  };
}

/** Each cell's launch plan, with the defaults.args the sweep was made with. Pure; throws a UsageError for a bad cell. */
export function planCells(sweep: SweepRecord, indices: readonly number[], config: ResolvedConfig, facts: LaunchFacts): { index: number; plan: LaunchPlan }[] {
  const asMade = { ...config, defaults: { ...config.defaults, args: sweep.defaultArgs } };
  return indices.map((index) => ({ index, plan: planLaunch(cellStartOptions(sweep, sweep.cells[index]!.cell), asMade, facts) }));
}

export interface CellOutcome {
  index: number;
  run?: StoredRun;
  error?: string;
}

/**
 * Starts the planned cells, one by one (or as one submission), recording each run's id in the
 * sweep's record as it goes. The caller holds the sweep's lock. A cell that fails to start does not
 * stop the others; an interrupt does.
 */
export async function startCells(
  sweepId: string,
  plans: readonly { index: number; plan: LaunchPlan }[],
  config: ResolvedConfig,
  registry: Registry,
  supervisor: Supervisor,
  interrupt: InterruptWatch,
  onOutcome: (outcome: CellOutcome) => void = () => {},
): Promise<CellOutcome[]> {
  if (plans.length === 0) return [];
  const outcomes: CellOutcome[] = [];
  const remember = (index: number, runId: string) => {
    const sweep = readSweep(registry.runsDir, sweepId);
    sweep.cells[index]!.runs.push(runId);
    writeSweep(registry.runsDir, sweep);
  };

  if (supervisor.startMany) {
    const made: { index: number; run: StoredRun; env: Record<string, string> }[] = [];
    for (const { index, plan } of plans) {
      if (interrupt.signal) break;
      const { run, env } = await createRun(plan, config, registry);
      remember(index, run.record.id);
      made.push({ index, run, env });
    }
    try {
      const { handle } = await supervisor.startMany(
        made.map(({ run, env }) => ({ run, env })),
        { parallelism: arrayParallelism(config), writeScript: (text) => writeArrayScript(registry.runsDir, sweepId, text) },
      );
      const sweep = readSweep(registry.runsDir, sweepId);
      sweep.arrays = [...(sweep.arrays ?? []), { jobId: handle, submittedAt: new Date().toISOString(), runs: made.map(({ run }) => run.record.id) }];
      writeSweep(registry.runsDir, sweep);
      for (const { index, run } of made) {
        const now = registry.readRaw(run.record.id);
        const outcome = { index, run: now.ok ? now.run : run };
        outcomes.push(outcome);
        onOutcome(outcome);
      }
    } catch (error) {
      for (const { index, run } of made) {
        markFailed(registry, run.record.id, `the supervisor could not start it: ${describeError(error)}`);
        const outcome = { index, error: describeError(error) };
        outcomes.push(outcome);
        onOutcome(outcome);
      }
    }
    return outcomes;
  }

  for (const { index, plan } of plans) {
    if (interrupt.signal) break;
    let outcome: CellOutcome;
    try {
      // Queued cells are dispatched together once all are made: a 100-cell sweep returns in seconds.
      const run = await executeLaunch(plan, config, registry, supervisor, { interrupt: keepOpen(interrupt), deferDispatch: true });
      remember(index, run.record.id);
      outcome = { index, run };
    } catch (error) {
      outcome = { index, error: describeError(error) };
    }
    outcomes.push(outcome);
    onOutcome(outcome);
  }
  if (outcomes.some((o) => o.run?.record.status.state === 'queued')) await dispatchNow(registry.runsDir);
  return outcomes;
}

/**
 * Puts the ids of the sweep's runs that its record misses (a start that failed after its record
 * was written) into their cells, so `every attempt` is there. The caller holds the lock.
 */
export function reconcileRuns(registry: Registry, sweepId: string, runs: readonly SweepRunFact[]): SweepRecord {
  const sweep = readSweep(registry.runsDir, sweepId);
  let changed = false;
  const known = new Set(sweep.cells.flatMap((c) => c.runs));
  for (const run of [...runs].sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1))) {
    if (known.has(run.id)) continue;
    const view = cellViews(sweep, [run]).find((v) => v.runId === run.id);
    if (!view) continue;
    sweep.cells[view.index]!.runs.push(run.id);
    changed = true;
  }
  if (changed) writeSweep(registry.runsDir, sweep);
  return sweep;
}

/** The sweep's runs in the registry now, with their statuses brought up to date. */
export function gatherSweepRuns(registry: Registry, sweepId: string): SweepRunFact[] {
  return registry
    .list({ filter: ({ record }) => record.sweep?.id === sweepId })
    .runs.map(({ record }) => ({ id: record.id, createdAt: record.createdAt, cell: record.sweep!.cell, state: record.status.state }));
}

/** K of `--array=0-N%K`: slurm.arrayParallelism, else the queue's maxParallel where one is configured. */
export function arrayParallelism(config: ResolvedConfig): number | undefined {
  return config.slurm.arrayParallelism ?? config.queue?.maxParallel ?? undefined;
}

/** executeLaunch closes the watch it is given; the sweep's one watch must outlive each cell. */
function keepOpen(interrupt: InterruptWatch): InterruptWatch {
  return {
    get signal() {
      return interrupt.signal;
    },
    close() {},
  };
}
