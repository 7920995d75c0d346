import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { gatherRun } from '../compare/gather.js';
import type { Band } from '../compare/curves.js';
import { groupCsv, groupJson, renderGroupTables } from '../compare/group-output.js';
import { groupComparison, meanCurvePoints, smoothedPoints } from '../compare/group-plan.js';
import { parseTaskRanges } from '../compare/normalize.js';
import { compareCsv, compareJson, renderCompareTable } from '../compare/output.js';
import { type CompareRun, planComparison } from '../compare/plan.js';
import { parseScoreSpec, type ScoreSpec } from '../compare/score.js';
import { RuntimeError, UsageError, describeError } from '../errors.js';
import { colourStatus } from '../format/status.js';
import { formatWarning, normaliseMetricName } from '../metrics/series.js';
import type { Registry, StoredRun } from '../registry/registry.js';
import { listFilter } from '../registry/run-filter.js';
import { resolveSweep } from '../registry/sweep-dir.js';
import { renderHtmlReport } from '../report/html-report.js';
import { renderPlot } from '../report/terminal-plot.js';
import { type GlobalArgs, listFlag, openContext, out } from './context.js';
import { wholeNumber } from './flags.js';
import { readInputFile } from './stats.js';
import { STATS_FLAGS, type StatsFlagArgs, finite, statsOptionsOf } from './stats-flags.js';
import type { StatsOptions } from '../stats/summary.js';

interface CompareArgs extends GlobalArgs, StatsFlagArgs {
  metric?: string[];
  score?: ScoreSpec;
  group?: boolean;
  groupBy?: string[];
  seedKey?: string;
  taskBy?: string;
  normalize?: string;
  groups?: boolean;
  band?: Band;
  smooth?: number;
  runs?: string[];
  name?: string;
  tag?: string[];
  sweep?: string;
  last?: number;
  metrics?: string[];
  allParams?: boolean;
  sort?: string;
  json?: boolean;
  csv?: boolean;
  plot?: string;
  html?: string;
}

export interface CompareCommandOptions {
  selectors: string[];
  name?: string;
  tags: string[];
  /** A sweep selector: also every run of it. */
  sweep?: string;
  last?: number;
  metrics: string[];
  allParams: boolean;
  sort?: string;
  output: 'table' | 'json' | 'csv';
  plot?: string;
  html?: string;
  grouping: GroupingChoice;
  /** Metrics the group statistics are computed on (--metric); empty: the first shown. */
  statsMetrics: string[];
  score: ScoreSpec;
  stats: StatsOptions;
  /** --gamma given: the optimality gap is shown. */
  gammaGiven: boolean;
  normalize?: string;
  csvGroups: boolean;
  band: Band;
  smooth: number;
}

export interface GroupingChoice {
  /** false: --no-group. */
  enabled: boolean;
  groupBy?: string[];
  seedKey?: string;
  taskBy?: string;
}

export const compareCommand: CommandModule<GlobalArgs, CompareArgs> = {
  command: 'compare [runs..]',
  describe: 'Compare runs: seeds grouped with rliable statistics (IQM, mean, median with intervals, P(X > Y)), or side by side with --no-group',
  builder: (yargs: Argv<GlobalArgs>) =>
    yargs
      .positional('runs', { type: 'string', array: true, describe: 'Runs to compare (id, prefix, name, latest~N)' })
      .option('name', { type: 'string', describe: 'Also every run with this name' })
      .option('tag', { type: 'string', array: true, describe: 'Also every run with this tag (all given tags)' })
      .option('sweep', { type: 'string', describe: 'Also every run of this sweep (id, prefix, name, latest)' })
      .option('last', { type: 'string', coerce: wholeNumber('last', 1), describe: 'Only the newest K of the runs --name/--tag select (alone: the newest K runs)' })
      .option('metrics', { type: 'string', array: true, describe: 'Metrics to show, comma-separated (default: those all runs have, rewards first)' })
      .option('all-params', { type: 'boolean', describe: 'Show every parameter, not only those that differ' })
      .option('sort', { type: 'string', describe: 'Sort by the best value of this metric, best first' })
      .option('json', { type: 'boolean', describe: 'Print {runs, differingParams} as JSON, and statistics, groups, probabilityOfImprovement when grouped' })
      .option('csv', { type: 'boolean', describe: 'Print the table as CSV' })
      .option('plot', { type: 'string', describe: "Also draw this metric as a line chart: each group's mean (each run when not grouped)" })
      .option('html', { type: 'string', describe: "Write a self-contained HTML report: each group's mean and band per metric, statistics, runs" })
      .option('metric', { type: 'string', array: true, describe: 'Metric(s) the group statistics are computed on (default: the first shown)' })
      .option('score', { type: 'string', coerce: scoreFlag, describe: "A run's score: last, mean-last:N (mean of its last N points) or at:STEP (interpolated; runs short of STEP are left out)" })
      .option('group', { type: 'boolean', default: true, describe: 'Group replicate runs (equal but for the seed); --no-group: one row per run' })
      .option('group-by', { type: 'string', array: true, describe: 'Group by these parameters only, comma-separated' })
      .option('seed-key', { type: 'string', describe: 'Another parameter that is a seed (seed, random-seed, random_seed and a sweep seed are)' })
      .option('task-by', { type: 'string', describe: 'The parameter whose values are tasks (e.g. env): statistics aggregate over tasks' })
      .option('normalize', { type: 'string', describe: 'CSV task,min,max: min-max normalise each task\'s scores first' })
      .option('groups', { type: 'boolean', describe: 'With --csv: the group table instead of the per-run one' })
      .option('band', { type: 'string', choices: ['ci', 'std', 'minmax', 'none'] as const, describe: "Around each group's mean curve: CI of the mean (default), ±1 std, min–max, none" })
      .option('smooth', { type: 'string', coerce: smoothFlag, describe: "TensorBoard's smoothing weight for curves, 0 <= W < 1 (default 0)" })
      .options(STATS_FLAGS)
      .conflicts('json', 'csv')
      .check((argv) => {
        if (argv.group === false && (argv.groupBy !== undefined || argv.taskBy !== undefined || argv.groups)) {
          throw new UsageError('--no-group cannot go with --group-by, --task-by or --groups: drop one');
        }
        if (argv.groups && !argv.csv) throw new UsageError('--groups is a --csv table: add --csv (--json has the groups already)');
        return true;
      })
      .example('$0 compare latest latest~1', 'the two newest runs')
      .example('$0 compare --name ppo --last 5 --sort rollout/ep_rew_mean', 'the last five ppo runs, best first')
      .example('$0 compare --tag sweep --html sweep.html', 'a report to open in a browser')
      .example('$0 compare --name ppo --metric rollout/ep_rew_mean --score mean-last:10', 'seeds grouped: IQM and mean with intervals, P(X > Y)')
      .example('$0 compare --tag mujoco --task-by env --normalize ranges.csv', 'aggregate over tasks as rliable does'),
  handler: async (argv) => {
    await compare(
      {
        selectors: argv.runs ?? [],
        tags: listFlag(argv.tag),
        metrics: listFlag(argv.metrics),
        allParams: Boolean(argv.allParams),
        output: argv.json ? 'json' : argv.csv ? 'csv' : 'table',
        ...(argv.name !== undefined ? { name: argv.name } : {}),
        ...(argv.sweep !== undefined ? { sweep: argv.sweep } : {}),
        ...(argv.last !== undefined ? { last: argv.last } : {}),
        ...(argv.sort !== undefined ? { sort: argv.sort } : {}),
        ...(argv.plot !== undefined ? { plot: argv.plot } : {}),
        ...(argv.html !== undefined ? { html: argv.html } : {}),
        grouping: {
          enabled: argv.group !== false,
          ...(argv.groupBy !== undefined ? { groupBy: listFlag(argv.groupBy) } : {}),
          ...(argv.seedKey !== undefined ? { seedKey: argv.seedKey } : {}),
          ...(argv.taskBy !== undefined ? { taskBy: argv.taskBy } : {}),
        },
        statsMetrics: listFlag(argv.metric),
        score: argv.score ?? { kind: 'last' },
        stats: statsOptionsOf(argv),
        gammaGiven: argv.gamma !== undefined,
        ...(argv.normalize !== undefined ? { normalize: argv.normalize } : {}),
        csvGroups: Boolean(argv.groups),
        band: argv.band ?? 'ci',
        smooth: argv.smooth ?? 0,
      },
      argv,
    );
  },
};

export async function compare(options: CompareCommandOptions, globals: GlobalArgs): Promise<void> {
  if (options.last !== undefined && (!Number.isInteger(options.last) || options.last < 1)) {
    throw new UsageError(`--last ${options.last}: expected a whole number >= 1`);
  }
  if (options.grouping.groupBy?.length === 0) throw new UsageError('--group-by needs parameter names, such as --group-by lr,batch_size');
  // Validate first: a bad --normalize file stops the command before any run is read.
  const ranges = options.normalize === undefined ? undefined : parseTaskRanges(readInputFile(options.normalize, '--normalize'), options.normalize);
  const { config, registry } = await openContext(globals);
  const selected = selectRuns(options, registry);
  const now = new Date();
  const runs: CompareRun[] = [];
  const points = options.plot !== undefined || options.html !== undefined || options.score.kind !== 'last';
  for (const stored of selected) {
    const { run, warnings } = await gatherRun(stored, config, now, { points });
    for (const warning of warnings) out.warn(formatWarning(warning));
    runs.push(run);
  }
  const planOptions = {
    metrics: options.metrics,
    allParams: options.allParams,
    width: process.stdout.columns || 120,
    ...(options.sort !== undefined ? { sort: options.sort } : {}),
  };
  // CSV is read by programs, not a terminal: every metric, whatever the width.
  const plan = planComparison(runs, { ...planOptions, everyMetric: options.output === 'csv' && !options.csvGroups });
  const grouped = groupComparison(runs, plan, { ...options.grouping, statsMetrics: options.statsMetrics, score: options.score, stats: options.stats, csvGroups: options.csvGroups, ranges });
  const shown = { stats: options.stats, score: options.score, optimalityGap: options.gammaGiven || ranges !== undefined };
  if (grouped) for (const note of grouped.perMetric.flatMap((m) => [...m.notes, ...m.result.warnings])) out.warn(note);
  if (options.html !== undefined) {
    const file = path.resolve(options.html);
    // A page is not a terminal: without --metrics it charts every metric the runs share.
    const pagePlan = options.metrics.length > 0 ? plan : planComparison(runs, { ...planOptions, width: Number.POSITIVE_INFINITY });
    const html = renderHtmlReport(pagePlan, now.toISOString(), {
      groups: grouped ? grouped.groups.map((g) => ({ label: g.label, runs: g.runs.map((run) => run.id) })) : undefined,
      statistics: grouped ? { perMetric: grouped.perMetric, ...shown } : undefined,
      band: options.band,
      smooth: options.smooth,
      confidence: options.stats.confidence,
    });
    try {
      await writeFile(file, html);
    } catch (error) {
      throw new RuntimeError(`cannot write the report to ${file}: ${describeError(error)}`);
    }
    process.stderr.write(`rl-run: wrote ${file}\n`);
  }
  if (options.output === 'json') return out.json({ ...(compareJson(plan, options.metrics.length === 0) as object), ...(grouped ? groupJson(grouped.perMetric, shown) : {}) });
  if (options.output === 'csv') {
    if (options.csvGroups) return void process.stdout.write(groupCsv(grouped?.perMetric ?? []));
    return void process.stdout.write(compareCsv(plan));
  }
  if (grouped) out.line(renderGroupTables(grouped.perMetric, shown));
  else out.line(renderCompareTable(plan, (status) => colourStatus(status, out.colour)));
  if (plan.metrics.length === 0) out.line("(no metric is common to all these runs: 'rl-run metrics <run>' lists each run's, --metrics picks some)");
  if (options.plot !== undefined) {
    const metric = normaliseMetricName(options.plot);
    if (runs.every((run) => (run.series.get(metric)?.points.length ?? 0) === 0)) throw new UsageError(`no run has a metric '${metric}'; 'rl-run metrics <run>' lists them`);
    const lines = grouped
      ? grouped.groups.map((group) => ({ label: `${group.label} (mean of ${group.runs.length})`, points: meanCurvePoints(group.runs, metric, options.smooth) }))
      : plan.rows.map(({ run }) => ({ label: run.id, points: smoothedPoints(run.series.get(metric)?.points ?? [], options.smooth) }));
    out.line('');
    out.line(renderPlot(lines, { title: metric, colour: out.colour }));
  }
}

function scoreFlag(value: unknown): ScoreSpec {
  if (Array.isArray(value)) throw new UsageError(`--score given ${value.length} times: give it once`);
  return parseScoreSpec(String(value));
}

function smoothFlag(value: unknown): number {
  const weight = finite('smooth')(value);
  if (!(weight >= 0 && weight < 1)) throw new UsageError(`--smooth ${String(value).trim()}: expected a weight 0 <= W < 1, such as 0.6 (0: no smoothing)`);
  return weight;
}

/** The selectors' runs, then those --name/--tag/--last pick, newest first; each run once. */
function selectRuns(options: CompareCommandOptions, registry: Registry): StoredRun[] {
  const filtered = options.name !== undefined || options.tags.length > 0 || options.sweep !== undefined || options.last !== undefined;
  if (options.selectors.length === 0 && !filtered) {
    throw new UsageError("give the runs to compare: 'rl-run compare latest latest~1', or --name NAME, --tag TAG, --last K");
  }
  const runs = options.selectors.map((selector) => registry.resolve(selector));
  if (filtered) {
    const sweep = options.sweep !== undefined ? resolveSweep(registry.runsDir, options.sweep) : undefined;
    const { runs: listed } = registry.list({
      ...(options.last !== undefined ? { limit: options.last } : {}),
      ...listFilter({ ...options, sweep }),
    });
    if (listed.length === 0) throw new UsageError(`no runs match${options.name ? ` --name ${options.name}` : ''}${options.tags.map((t) => ` --tag ${t}`).join('')}${sweep ? ` --sweep ${sweep}` : ''}; see 'rl-run ls'`);
    runs.push(...listed);
  }
  const seen = new Set<string>();
  return runs.filter((run) => !seen.has(run.record.id) && seen.add(run.record.id));
}
