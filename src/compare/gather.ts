import type { ResolvedConfig } from '../config/schema.js';
import { runDuration } from '../format/status.js';
import { readRunMetrics, SUMMARIES_ONLY } from '../metrics/read-run.js';
import type { MetricWarning } from '../metrics/series.js';
import type { StoredRun } from '../registry/registry.js';
import { paramsOfRecord } from './params.js';
import type { CompareRun } from './plan.js';

/**
 * Reads what compare needs of one stored run: its record's params and its metric files. Without
 * `points` (no chart to draw) each series keeps its exact summary but hardly a point, which keeps
 * the metrics cache of a long run small (read-run.ts).
 */
export async function gatherRun(
  run: StoredRun,
  config: Pick<ResolvedConfig, 'metrics'>,
  now: Date = new Date(),
  { points = true }: { points?: boolean } = {},
): Promise<{ run: CompareRun; warnings: MetricWarning[] }> {
  const { record, layout } = run;
  // A resumed run's summaries are made again from its stitched points, so it keeps them.
  const resumed = record.attempts.length > 1;
  const { series, warnings } = await readRunMetrics(layout.dir, layout.stdout, {
    files: config.metrics.files,
    patterns: config.metrics.patterns,
    moreLogs: [layout.stderr],
    cacheFile: layout.metricsCache,
    ...(points || resumed ? {} : { maxPoints: SUMMARIES_ONLY }),
    ...(resumed ? { resumed } : {}),
  });
  return {
    run: {
      id: record.id,
      status: record.status.state,
      duration: runDuration(record, now),
      dir: layout.dir,
      params: paramsOfRecord(record),
      series,
      ...(record.sweep ? { sweep: record.sweep } : {}),
    },
    warnings,
  };
}
