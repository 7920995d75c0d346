import type { MetricPoint, MetricSeries } from './series.js';

/**
 * One curve from the attempts of a resumed run. A resumed attempt starts again from its
 * checkpoint's step, so its steps repeat the tail of the attempt before it: from the first
 * repeated step on, the older values give way to the newer ones. The result has no duplicate step
 * and never goes back. Pure; applied only to runs with more than one attempt (a single attempt's
 * series is read as logged).
 */
export function stitchPoints(points: readonly MetricPoint[]): { points: MetricPoint[]; removed: number } {
  const kept: MetricPoint[] = [];
  let removed = 0;
  for (const point of points) {
    while (kept.length > 0 && kept[kept.length - 1]!.step >= point.step) {
      kept.pop();
      removed++;
    }
    kept.push(point);
  }
  return { points: kept, removed };
}

export function stitchSeries(series: MetricSeries): MetricSeries {
  const { points, removed } = stitchPoints(series.points);
  if (removed === 0) return series;
  const last = points[points.length - 1];
  const summary = { ...series.summary };
  if (last) {
    summary.last = last.value;
    summary.lastStep = last.step;
  }
  if (!series.thinned) {
    // Every point is here: the summary is exact again over what is left.
    const finite = points.map((p) => p.value).filter(Number.isFinite);
    summary.count = points.length;
    summary.min = finite.length ? Math.min(...finite) : Number.NaN;
    summary.max = finite.length ? Math.max(...finite) : Number.NaN;
  }
  return { ...series, points, summary };
}
