import { UsageError } from '../errors.js';
import { type MetricPoint, normaliseMetricName } from '../metrics/series.js';
import type { StatsOptions } from '../stats/summary.js';
import { groupCurve, seriesXY, smoothSeries } from './curves.js';
import { type MetricStatistics, metricStatistics } from './group-stats.js';
import { groupRuns, type ReplicateGroup } from './groups.js';
import type { TaskRanges } from './normalize.js';
import type { CompareRun, ComparePlan } from './plan.js';
import type { ScoreSpec } from './score.js';

export interface GroupComparisonOptions {
  /** false: --no-group. */
  enabled: boolean;
  groupBy?: string[];
  seedKey?: string;
  taskBy?: string;
  /** --metric; empty: the plan's first metric. */
  statsMetrics: readonly string[];
  score: ScoreSpec;
  stats: StatsOptions;
  csvGroups: boolean;
  ranges?: TaskRanges | undefined;
}

export interface GroupComparison {
  groups: ReplicateGroup<CompareRun>[];
  perMetric: MetricStatistics[];
}

/**
 * The replicate groups and their statistics, or undefined for the per-run table: with --no-group,
 * and when no two runs are replicates and nothing asked for groups (each group would be one run).
 */
export function groupComparison(runs: readonly CompareRun[], plan: ComparePlan, options: GroupComparisonOptions): GroupComparison | undefined {
  const grouping = options;
  if (!grouping.enabled) return undefined;
  const groups = groupRuns(runs, {
    ...(grouping.groupBy ? { groupBy: grouping.groupBy } : {}),
    ...(grouping.seedKey !== undefined ? { seedKey: grouping.seedKey } : {}),
    ...(grouping.taskBy !== undefined ? { taskBy: grouping.taskBy } : {}),
  });
  const asked = grouping.groupBy !== undefined || grouping.taskBy !== undefined || options.csvGroups || options.statsMetrics.length > 0;
  if (!asked && groups.every((group) => group.runs.length < 2)) return undefined;
  const known = new Set(runs.flatMap((run) => [...run.series.keys()]));
  const metrics = options.statsMetrics.length > 0 ? options.statsMetrics.map(normaliseMetricName) : plan.metrics.slice(0, 1);
  for (const metric of metrics) if (!known.has(metric)) throw new UsageError(`--metric ${metric}: no run has it; 'rl-run metrics <run>' lists them`);
  const perMetric = metricStatistics(groups, metrics, { score: options.score, ...(grouping.taskBy !== undefined ? { taskBy: grouping.taskBy } : {}), ...(options.ranges ? { ranges: options.ranges } : {}) }, options.stats);
  return { groups, perMetric };
}

/** A group's mean curve as plot points (the terminal draws the mean only). */
export function meanCurvePoints(runs: readonly CompareRun[], metric: string, smooth: number) {
  const curve = groupCurve(runs.map((run) => seriesXY(run.series.get(metric)?.points ?? [])), { band: 'none', smooth, confidence: 0.95 });
  return curve.x.map((step, i) => ({ step, value: curve.mean[i]! })).filter((p) => Number.isFinite(p.value));
}

export function smoothedPoints(points: readonly MetricPoint[], smooth: number): MetricPoint[] {
  if (smooth === 0) return [...points];
  const { x, y } = seriesXY(points);
  const smoothed = smoothSeries(y, smooth);
  return x.map((step, i) => ({ step, value: smoothed[i]! }));
}
