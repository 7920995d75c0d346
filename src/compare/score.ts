import { UsageError } from '../errors.js';
import type { MetricSeries } from '../metrics/series.js';
import { interpolateXY } from './curves.js';

/** How a run's series becomes one score: its last value, the mean of its last N points, or its value at a step. */
export type ScoreSpec = { kind: 'last' } | { kind: 'mean-last'; n: number } | { kind: 'at'; step: number };

export function parseScoreSpec(text: string): ScoreSpec {
  const trimmed = text.trim();
  if (trimmed === 'last') return { kind: 'last' };
  const meanLast = /^mean-last:(\d+)$/.exec(trimmed);
  if (meanLast && Number(meanLast[1]) >= 1 && Number.isSafeInteger(Number(meanLast[1]))) return { kind: 'mean-last', n: Number(meanLast[1]) };
  const at = /^at:([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)$/.exec(trimmed);
  if (at && Number.isFinite(Number(at[1]))) return { kind: 'at', step: Number(at[1]) };
  throw new UsageError(`--score ${trimmed}: expected last, mean-last:N (N >= 1) or at:STEP, such as --score mean-last:10 or --score at:100000`);
}

export function formatScoreSpec(spec: ScoreSpec): string {
  return spec.kind === 'last' ? 'last' : spec.kind === 'mean-last' ? `mean-last:${spec.n}` : `at:${spec.step}`;
}

/** A run's score, or why it has none. Pure. */
export type ScoreResult = { score: number } | { missing: string };

export function scoreOf(series: MetricSeries | undefined, spec: ScoreSpec): ScoreResult {
  if (!series) return { missing: 'has no such metric' };
  if (spec.kind === 'last') {
    // The summary is exact even when the points were thinned.
    return Number.isFinite(series.summary.last) ? { score: series.summary.last } : { missing: `its last value is ${series.summary.last}` };
  }
  const points = series.points.filter((p) => Number.isFinite(p.value) && Number.isFinite(p.step));
  if (points.length === 0) return { missing: 'has no finite value' };
  if (spec.kind === 'mean-last') {
    const tail = points.slice(-spec.n);
    return { score: tail.reduce((sum, p) => sum + p.value, 0) / tail.length };
  }
  const value = interpolateXY(points.map((p) => p.step), points.map((p) => p.value), spec.step);
  return value === null ? { missing: `did not reach step ${spec.step} (its last is ${points[points.length - 1]!.step})` } : { score: value };
}
