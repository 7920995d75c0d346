import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { gatherRun } from '../compare/gather.js';
import { compareCsv, compareJson, renderCompareTable } from '../compare/output.js';
import { planComparison } from '../compare/plan.js';
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

interface CompareArgs extends GlobalArgs {
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
}

export const compareCommand: CommandModule<GlobalArgs, CompareArgs> = {
  command: 'compare [runs..]',
  describe: 'Compare runs side by side: differing parameters, last and best of each metric',
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
      .option('json', { type: 'boolean', describe: 'Print {runs: [{id, params, metrics}], differingParams} as JSON' })
      .option('csv', { type: 'boolean', describe: 'Print the table as CSV' })
      .option('plot', { type: 'string', describe: 'Also draw this metric for every run as a line chart' })
      .option('html', { type: 'string', describe: 'Write a self-contained HTML report with a chart per metric' })
      .conflicts('json', 'csv')
      .example('$0 compare latest latest~1', 'the two newest runs')
      .example('$0 compare --name ppo --last 5 --sort rollout/ep_rew_mean', 'the last five ppo runs, best first')
      .example('$0 compare --tag sweep --html sweep.html', 'a report to open in a browser'),
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
      },
      argv,
    );
  },
};

export async function compare(options: CompareCommandOptions, globals: GlobalArgs): Promise<void> {
  if (options.last !== undefined && (!Number.isInteger(options.last) || options.last < 1)) {
    throw new UsageError(`--last ${options.last}: expected a whole number >= 1`);
  }
  const { config, registry } = await openContext(globals);
  const selected = selectRuns(options, registry);
  const now = new Date();
  const runs = [];
  for (const stored of selected) {
    const { run, warnings } = await gatherRun(stored, config, now, { points: options.plot !== undefined || options.html !== undefined });
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
  const plan = planComparison(runs, { ...planOptions, everyMetric: options.output === 'csv' });
  if (options.html !== undefined) {
    const file = path.resolve(options.html);
    // A page is not a terminal: without --metrics it charts every metric the runs share.
    const pagePlan = options.metrics.length > 0 ? plan : planComparison(runs, { ...planOptions, width: Number.POSITIVE_INFINITY });
    try {
      await writeFile(file, renderHtmlReport(pagePlan, now.toISOString()));
    } catch (error) {
      throw new RuntimeError(`cannot write the report to ${file}: ${describeError(error)}`);
    }
    process.stderr.write(`rl-run: wrote ${file}\n`);
  }
  if (options.output === 'json') return out.json(compareJson(plan, options.metrics.length === 0));
  if (options.output === 'csv') return void process.stdout.write(compareCsv(plan));
  out.line(renderCompareTable(plan, (status) => colourStatus(status, out.colour)));
  if (plan.metrics.length === 0) out.line("(no metric is common to all these runs: 'rl-run metrics <run>' lists each run's, --metrics picks some)");
  if (options.plot !== undefined) {
    const metric = normaliseMetricName(options.plot);
    const lines = plan.rows.map(({ run }) => ({ label: run.id, points: run.series.get(metric)?.points ?? [] }));
    if (lines.every((line) => line.points.length === 0)) throw new UsageError(`no run has a metric '${metric}'; 'rl-run metrics <run>' lists them`);
    out.line('');
    out.line(renderPlot(lines, { title: metric, colour: out.colour }));
  }
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
