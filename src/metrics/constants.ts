import type { MetricSeries } from './series.js';

/**
 * A series of one point is a constant, not a metric: what a script prints once (`config lr=0.001
 * seed=0`, `print(args)`, `done: 300 episodes`) reads like pairs but has no curve. Constants are
 * shown apart from the metrics (beside the parameters), unless asked for by name.
 */
export function isConstant(series: MetricSeries): boolean {
  return series.summary.count === 1;
}

/** A run's series split into metrics and constants, each in the order given. */
export function splitConstants(series: Iterable<MetricSeries>): { metrics: MetricSeries[]; constants: MetricSeries[] } {
  const metrics: MetricSeries[] = [];
  const constants: MetricSeries[] = [];
  for (const s of series) (isConstant(s) ? constants : metrics).push(s);
  return { metrics, constants };
}
