import { statSync } from 'node:fs';
import type { ResolvedConfig } from '../config/schema.js';
import { readRunMetrics, SUMMARIES_ONLY } from '../metrics/read-run.js';
import type { StoredRun } from '../registry/registry.js';
import { computeProgress, type Progress, totalSteps } from './progress.js';

/**
 * A run's progress from its metrics, read through the run's metrics cache (only what was appended
 * since the last read is parsed). `recent` > 0 keeps that many recent values of the main metric
 * (a sparkline): the points are then read under the chart's budget, as `compare --plot` does.
 */
export async function readProgress(run: StoredRun, config: Pick<ResolvedConfig, 'metrics' | 'progress'>, recent = 0): Promise<Progress | null> {
  const { record, layout } = run;
  let series: Awaited<ReturnType<typeof readRunMetrics>>['series'];
  try {
    ({ series } = await readRunMetrics(layout.dir, layout.stdout, {
      files: config.metrics.files,
      patterns: config.metrics.patterns,
      moreLogs: [layout.stderr],
      cacheFile: layout.metricsCache,
      ...(recent > 0 ? {} : { maxPoints: SUMMARIES_ONLY }),
    }));
  } catch {
    // Progress is extra: a run whose metrics cannot be read shows none (`rl-run metrics` says why).
    return null;
  }
  const startedAt = Date.parse(record.startedAt ?? record.createdAt);
  return computeProgress({
    series,
    startedAtMs: startedAt,
    lastWriteMs: (source) => {
      try {
        return statSync(source).mtimeMs;
      } catch {
        return undefined;
      }
    },
    total: totalSteps(record.args, configuredTotal(record.config) ?? config.progress.total),
    recent,
  });
}

/** The run's own `progress.total`, from the config it was started with. */
function configuredTotal(config: Record<string, unknown>): string | undefined {
  const progress = config.progress as { total?: unknown } | undefined;
  return typeof progress?.total === 'string' ? progress.total : undefined;
}
