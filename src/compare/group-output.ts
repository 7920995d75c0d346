import { renderStatsTables, statsJson } from '../stats/render.js';
import type { Estimate, StatsOptions } from '../stats/summary.js';
import type { MetricStatistics } from './group-stats.js';
import { formatParam } from './params.js';
import { formatScoreSpec, type ScoreSpec } from './score.js';

export interface GroupOutputOptions {
  stats: StatsOptions;
  score: ScoreSpec;
  /** Show the optimality gap (only meaningful once --gamma or --normalize says what optimal is). */
  optimalityGap: boolean;
}

/** The terminal: per metric a title, a row per group with intervals, and the P(X > Y) matrix. */
export function renderGroupTables(perMetric: readonly MetricStatistics[], options: GroupOutputOptions): string {
  return perMetric
    .map(({ metric, result }) => {
      const runs = result.groups.reduce((sum, group) => sum + group.runs.length, 0);
      const tasks = Object.keys(result.groups[0]?.tasks ?? {});
      const title = `${metric} (score: ${formatScoreSpec(options.score)}; ${runs} runs in ${result.groups.length} groups${tasks.length > 1 || tasks[0] !== metric ? ` on ${tasks.length} ${tasks.length === 1 ? 'task' : 'tasks'}` : ''}; intervals: ${options.stats.ciMethod})`;
      if (result.groups.length === 0) return `${title}\n(no group has a score)`;
      return `${title}\n${renderStatsTables(result, options.stats, { optimalityGap: options.optimalityGap })}`;
    })
    .join('\n\n');
}

/**
 * `--json`'s group part: statistics, groups (with their params) and probabilityOfImprovement for
 * the first metric; with several metrics the rest under `otherMetrics` in the same shape.
 */
export function groupJson(perMetric: readonly MetricStatistics[], options: GroupOutputOptions): Record<string, unknown> {
  const one = ({ metric, scored, result }: MetricStatistics) => {
    const json = statsJson(result, options.stats, { metric, score: formatScoreSpec(options.score) }) as { statistics: unknown; groups: object[]; probabilityOfImprovement: unknown };
    return {
      statistics: json.statistics,
      groups: json.groups.map((group, i) => ({ label: scored[i]!.label, params: scored[i]!.params, ...group })),
      probabilityOfImprovement: json.probabilityOfImprovement,
    };
  };
  const [first, ...rest] = perMetric;
  if (!first) return { statistics: null, groups: [], probabilityOfImprovement: [] };
  return { ...one(first), ...(rest.length > 0 ? { otherMetrics: rest.map(one) } : {}) };
}

const ESTIMATES = ['iqm', 'mean', 'median', 'optimalityGap'] as const;

/** `--csv --groups`: a row per metric and group, each estimate with its interval's ends. */
export function groupCsv(perMetric: readonly MetricStatistics[]): string {
  const keys: string[] = [];
  for (const { scored } of perMetric) for (const group of scored) for (const key of Object.keys(group.params)) if (!keys.includes(key)) keys.push(key);
  const header = ['metric', 'group', ...keys, 'n', 'tasks', ...ESTIMATES.flatMap((name) => [name, `${name} low`, `${name} high`])];
  const rows = perMetric.flatMap(({ metric, scored, result }) =>
    result.groups.map((group, i) => [
      metric,
      group.label,
      ...keys.map((key) => formatParam(scored[i]!.params[key])),
      String(group.n),
      String(Object.keys(group.tasks).length),
      ...ESTIMATES.flatMap((name) => estimateCells(group[name])),
    ]),
  );
  return `${[header, ...rows].map((row) => row.map(csvCell).join(',')).join('\n')}\n`;
}

function estimateCells({ value, ci }: Estimate): string[] {
  return [String(value), ci ? String(ci[0]) : '', ci ? String(ci[1]) : ''];
}

function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
