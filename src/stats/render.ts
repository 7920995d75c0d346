import { formatValue } from '../format/numbers.js';
import { renderTable } from '../format/table.js';
import type { Estimate, StatsOptions, StatsResult } from './summary.js';

/** `--json`'s statistics: what was measured and how, the groups, and P(X > Y) for each pair. */
export function statsJson(result: StatsResult, options: StatsOptions, measured: { metric: string | null; score: string }): unknown {
  const { ciMethod, confidence, reps, poiReps, randomState } = options;
  return {
    statistics: { ...measured, ciMethod, confidence, reps, poiReps, randomState },
    groups: result.groups.map(({ label, n, runs, tasks, iqm, mean, median, optimalityGap }) => ({ label, n, runs, tasks, iqm, mean, median, optimalityGap })),
    probabilityOfImprovement: result.probabilityOfImprovement,
  };
}

/** A row per group (the optimality gap unless `optimalityGap: false`), then the P(row > column) matrix. */
export function renderStatsTables(result: StatsResult, options: StatsOptions, { optimalityGap = true }: { optimalityGap?: boolean } = {}): string {
  const cell = ({ value, ci }: Estimate) => (ci ? `${formatValue(value)} [${formatValue(ci[0])}, ${formatValue(ci[1])}]` : formatValue(value));
  const level = `${Number((options.confidence * 100).toPrecision(6))}%`;
  const groups = renderTable(
    ['GROUP', 'N', `IQM [${level}]`, 'MEAN', 'MEDIAN', ...(optimalityGap ? [`OPT. GAP (γ=${formatValue(options.gamma)})`] : [])],
    result.groups.map((g) => [g.label, String(g.n), cell(g.iqm), cell(g.mean), cell(g.median), ...(optimalityGap ? [cell(g.optimalityGap)] : [])]),
  );
  if (result.groups.length < 2) return groups;
  const labels = result.groups.map((g) => g.label);
  const pairs = new Map(result.probabilityOfImprovement.map((p) => [`${p.x}\0${p.y}`, p]));
  const matrix = renderTable(
    ['P(ROW > COLUMN)', ...labels],
    labels.map((x) => [
      x,
      ...labels.map((y) => {
        if (x === y) return '-';
        const direct = pairs.get(`${x}\0${y}`);
        if (direct) return cell(direct);
        // P(Y > X) = 1 − P(X > Y), ties included, for the value and (mirrored) for the interval.
        const other = pairs.get(`${y}\0${x}`)!;
        return cell({ value: 1 - other.value, ci: other.ci ? [1 - other.ci[1], 1 - other.ci[0]] : null });
      }),
    ]),
  );
  return `${groups}\n\nprobability of improvement:\n${matrix}`;
}
