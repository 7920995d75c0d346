import { type StatsOptions, type StatsResult, groupStatistics } from '../stats/summary.js';
import type { ReplicateGroup } from './groups.js';
import { type ScoredGroup, type ScoringOptions, scoreGroups } from './group-scores.js';
import type { CompareRun } from './plan.js';

export interface MetricStatistics {
  metric: string;
  /** The groups as scored (runs without a score left out); same order as result.groups. */
  scored: ScoredGroup[];
  result: StatsResult;
  /** Runs left out and why. */
  notes: string[];
}

/** rliable's statistics of the groups on each metric. Pure (the bootstrap is seeded). */
export function metricStatistics(
  groups: readonly ReplicateGroup<CompareRun>[],
  metrics: readonly string[],
  scoring: Omit<ScoringOptions, 'metric'>,
  stats: StatsOptions,
): MetricStatistics[] {
  return metrics.map((metric) => {
    const { groups: scored, notes } = scoreGroups(groups, { ...scoring, metric });
    return { metric, scored, result: groupStatistics(scored, stats), notes };
  });
}
