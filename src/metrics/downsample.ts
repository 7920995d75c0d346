import type { MetricPoint } from './series.js';

/**
 * Largest-Triangle-Three-Buckets (Steinarsson 2013): keeps the first and last points and, per
 * bucket, the point that spans the largest triangle with its neighbours, so peaks survive. For
 * plots only; summaries are computed from every point. Non-finite values are dropped first.
 */
export function lttb(points: readonly MetricPoint[], threshold: number): MetricPoint[] {
  const data = points.filter((p) => Number.isFinite(p.value) && Number.isFinite(p.step));
  if (threshold >= data.length || threshold < 3) return data;
  const sampled: MetricPoint[] = [data[0]!];
  const every = (data.length - 2) / (threshold - 2);
  let a = 0;
  for (let i = 0; i < threshold - 2; i++) {
    const nextStart = Math.floor((i + 1) * every) + 1;
    const nextEnd = Math.min(Math.floor((i + 2) * every) + 1, data.length);
    let avgX = 0;
    let avgY = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      avgX += data[j]!.step;
      avgY += data[j]!.value;
    }
    const n = Math.max(nextEnd - nextStart, 1);
    avgX /= n;
    avgY /= n;
    const start = Math.floor(i * every) + 1;
    const end = Math.floor((i + 1) * every) + 1;
    const pa = data[a]!;
    let maxArea = -1;
    let chosen = start;
    for (let j = start; j < end; j++) {
      const p = data[j]!;
      const area = Math.abs((pa.step - avgX) * (p.value - pa.value) - (pa.step - p.step) * (avgY - pa.value));
      if (area > maxArea) {
        maxArea = area;
        chosen = j;
      }
    }
    sampled.push(data[chosen]!);
    a = chosen;
  }
  sampled.push(data[data.length - 1]!);
  return sampled;
}
