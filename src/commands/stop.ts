import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import { describeWaits } from '../format/stop-progress.js';
import { parseTimeout } from '../format/time.js';
import { isEnded, statusFields } from '../registry/record.js';
import type { Registry, StoredRun } from '../registry/registry.js';
import { listFilter } from '../registry/run-filter.js';
import { resolveSweep } from '../registry/sweep-dir.js';
import { supervisorFor } from '../supervisor/index.js';
import type { StopOutcome, StopProgress } from '../supervisor/types.js';
import { type GlobalArgs, listFlag, openContext, out } from './context.js';

interface StopArgs extends GlobalArgs {
  runs?: string[];
  timeout?: string;
  name?: string;
  tag?: string[];
  sweep?: string;
}

export interface StopSelection {
  selectors: string[];
  name?: string;
  tags: string[];
  /** A sweep selector: every live run of it. */
  sweep?: string;
}

export const stopCommand: CommandModule<GlobalArgs, StopArgs> = {
  command: 'stop [runs..]',
  describe: 'Stop runs: SIGINT to the script, SIGKILL to its whole process tree after the grace period',
  builder: (yargs: Argv<GlobalArgs>) =>
    yargs
      .positional('runs', { type: 'string', array: true, describe: 'Runs to stop (id, prefix, name, latest~N)' })
      .option('timeout', { type: 'string', describe: 'Grace period before SIGKILL: 30s, 2m, 500ms (default: stop.timeoutMs, 30 s)' })
      .option('name', { type: 'string', describe: 'Stop every live run with this name (a sweep)' })
      .option('tag', { type: 'string', array: true, describe: 'Stop every live run with this tag (all given tags)' })
      .option('sweep', { type: 'string', describe: 'Stop every live run of this sweep (id, prefix, name, latest)' })
      .example('$0 stop latest', 'SIGINT the newest run; it has 30 s to save a checkpoint')
      .example('$0 stop ppo sac --timeout 2m', 'two runs at once, two minutes in all')
      .example('$0 stop --tag sweep-3', "every live run of a sweep, in parallel"),
  handler: async (argv) => {
    await stop(
      { selectors: argv.runs ?? [], tags: listFlag(argv.tag), ...(argv.name !== undefined ? { name: argv.name } : {}), ...(argv.sweep !== undefined ? { sweep: argv.sweep } : {}) },
      argv.timeout,
      argv,
    );
  },
};

/**
 * Stops the selected runs all at once, so a sweep takes one grace period, not one per run. A stop
 * already under way (another terminal, a restart) is joined, never repeated. On a terminal, says
 * what it is waiting for.
 */
export async function stop(selection: StopSelection, timeout: string | undefined, globals: GlobalArgs): Promise<void> {
  const timeoutMs = timeout === undefined ? undefined : parseTimeout(timeout);
  if (timeoutMs === null) throw new UsageError(`--timeout ${timeout}: expected a duration such as 30s, 2m or 500ms`);
  const filtered = selection.name !== undefined || selection.tags.length > 0 || selection.sweep !== undefined;
  if (selection.selectors.length === 0 && !filtered) {
    throw new UsageError("give the runs to stop (id, prefix, name, latest~N), or --name / --tag / --sweep for a sweep's runs");
  }
  if (selection.selectors.length > 0 && filtered) {
    throw new UsageError('give runs to stop or --name / --tag / --sweep, not both');
  }
  const { config, registry } = await openContext(globals);
  if (selection.sweep !== undefined) selection = { ...selection, sweep: resolveSweep(registry.runsDir, selection.sweep) };
  // Resolve every selector before stopping anything, so a typo stops nothing.
  const runs = selectRuns(registry, selection);
  if (runs.length === 0) {
    out.line(`nothing to stop: no live run${describeFilter(selection)}`);
    return;
  }
  const waiting = new Map<string, StopProgress>();
  const ticker = process.stderr.isTTY ? progressLine(() => [...waiting.values()]) : null;
  const leaving = sayStopGoesOn(() => [...waiting.values()], ticker);
  const results = await Promise.allSettled(
    runs.map(async (run) => {
      const supervisor = await supervisorFor(run.record.backend, registry);
      const outcome = await supervisor.stop(run, timeoutMs ?? run.record.stopTimeoutMs ?? config.stop.timeoutMs, (progress) => {
        const first = waiting.size === 0;
        waiting.set(progress.id, progress);
        if (first) ticker?.draw();
      });
      waiting.delete(run.record.id);
      ticker?.clear();
      out.line(report(registry, run, outcome));
    }),
  );
  ticker?.stop();
  leaving.off();
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
}

function selectRuns(registry: Registry, selection: StopSelection): StoredRun[] {
  const runs =
    selection.selectors.length > 0
      ? selection.selectors.map((selector) => registry.resolve(selector))
      : registry.list({
          ...listFilter(selection, ({ record }) => !isEnded(record.status)),
        }).runs;
  const seen = new Set<string>();
  return runs.filter((run) => !seen.has(run.record.id) && seen.add(run.record.id));
}

function describeFilter(selection: StopSelection): string {
  const parts = [
    ...(selection.name !== undefined ? [`named '${selection.name}'`] : []),
    ...(selection.tags.length ? [`tagged ${selection.tags.map((tag) => `'${tag}'`).join(' and ')}`] : []),
    ...(selection.sweep !== undefined ? [`of sweep ${selection.sweep}`] : []),
  ];
  return parts.length ? ` ${parts.join(' and ')}` : '';
}

function report(registry: Registry, run: StoredRun, outcome: StopOutcome): string {
  const after = registry.readRaw(run.record.id);
  const fields = after.ok ? statusFields(after.run.record.status) : undefined;
  if (outcome === 'already-ended') return `${run.record.id} had already ended (${fields?.status ?? statusFields(run.record.status).status})`;
  if (outcome === 'killed') return `stopped ${run.record.id} (killed after the grace period)`;
  const exit = fields?.signal ?? fields?.exitCode;
  if (exit !== undefined && exit !== null) return `stopped ${run.record.id} (exit ${exit})`;
  const started = after.ok && after.run.record.pid !== undefined;
  return `stopped ${run.record.id} (${started ? 'exit status unknown: its runner was gone' : 'before its script started'})`;
}

/**
 * Ctrl-C or a closed terminal ends this command, not the stop: the runner owns its deadline. Say
 * so, then end as the signal would have.
 */
function sayStopGoesOn(waits: () => StopProgress[], ticker: { stop(): void } | null): { off(): void } {
  const signals = ['SIGINT', 'SIGHUP', 'SIGTERM'] as const;
  const onSignal = (signal: NodeJS.Signals) => {
    off();
    ticker?.stop();
    const pending = waits();
    const deadline = Math.max(0, ...pending.map((wait) => wait.deadline));
    try {
      if (pending.length) {
        process.stderr.write(
          `\nrl-run: the stop goes on without this command: what is left of ${pending.map((wait) => wait.id).join(', ')} gets SIGKILL at ${new Date(deadline).toLocaleTimeString()}; 'rl-run stop' again waits for it\n`,
        );
      }
    } catch {
      // the terminal is gone
    }
    process.kill(process.pid, signal);
  };
  const off = () => {
    for (const signal of signals) process.removeListener(signal, onSignal);
  };
  for (const signal of signals) process.once(signal, onSignal);
  return { off };
}

/** One status line on stderr, redrawn every second, cleared before anything else is printed. */
function progressLine(waits: () => StopProgress[]): { draw(): void; clear(): void; stop(): void } {
  let shown = false;
  const draw = () => {
    const line = describeWaits(waits(), Date.now());
    if (!line && !shown) return;
    process.stderr.write(`\r\x1b[K${line}`);
    shown = Boolean(line);
  };
  const clear = () => {
    if (shown) process.stderr.write('\r\x1b[K');
    shown = false;
  };
  const timer = setInterval(draw, 1_000);
  return {
    draw,
    clear,
    stop: () => {
      clearInterval(timer);
      clear();
    },
  };
}
