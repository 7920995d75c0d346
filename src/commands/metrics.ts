import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { gatherRun } from '../compare/gather.js';
import { UsageError } from '../errors.js';
import { formatWarning, normaliseMetricName } from '../metrics/series.js';
import { metricsListingJson, renderMetricsListing } from '../report/metrics-listing.js';
import { renderPlot } from '../report/terminal-plot.js';
import { type GlobalArgs, openContext, out } from './context.js';

interface MetricsArgs extends GlobalArgs {
  run: string;
  json?: boolean;
  plot?: string;
}

export interface MetricsOptions {
  selector: string;
  json: boolean;
  plot?: string;
}

export const metricsCommand: CommandModule<GlobalArgs, MetricsArgs> = {
  command: 'metrics <run>',
  describe: 'List the metrics of a run: name, source file and kind, points, last, min, max',
  builder: (yargs: Argv<GlobalArgs>) =>
    yargs
      .positional('run', { type: 'string', demandOption: true, describe: 'id, id prefix, name, latest or latest~N' })
      .option('json', { type: 'boolean', describe: 'Print the metrics as JSON' })
      .option('plot', { type: 'string', describe: 'Also draw this metric as a line chart' })
      .example('$0 metrics latest', 'what the newest run has logged so far')
      .example('$0 metrics ppo --plot rollout/ep_rew_mean', 'and a chart of its reward'),
  handler: async (argv) => {
    await metrics({ selector: argv.run, json: Boolean(argv.json), ...(argv.plot !== undefined ? { plot: argv.plot } : {}) }, argv);
  },
};

export async function metrics(options: MetricsOptions, globals: GlobalArgs): Promise<void> {
  const { config, registry } = await openContext(globals);
  const stored = registry.resolve(options.selector);
  const { run, warnings } = await gatherRun(stored, config, undefined, { points: options.plot !== undefined });
  for (const warning of warnings) out.warn(formatWarning(warning));
  if (options.json) return out.json(metricsListingJson(run.id, run.series.values()));
  const listing = renderMetricsListing(run.series.values(), run.dir);
  if (listing === '') {
    out.line(`no metrics found for ${run.id} yet: rl-run reads ${path.relative(process.cwd(), stored.layout.stdout) || path.basename(stored.layout.stdout)} and ${config.metrics.files.join(', ')} in ${run.dir}`);
  } else {
    out.line(listing);
  }
  if (options.plot !== undefined) {
    const name = normaliseMetricName(options.plot);
    const series = run.series.get(name);
    if (!series) throw new UsageError(`${run.id} has no metric '${name}'; the list above has the names`);
    out.line('');
    out.line(renderPlot([{ label: run.id, points: series.points }], { title: name, colour: out.colour }));
  }
}
