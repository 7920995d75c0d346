/** numpy.percentile with its default linear interpolation; q in [0, 100]. */
export function percentileSorted(sorted: ArrayLike<number>, q: number): number {
  const h = ((sorted.length - 1) * q) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const a = sorted[lo]!;
  return a + (h - lo) * (sorted[hi]! - a);
}

/** The central interval holding `confidence` of the values (sorted in place). */
export function percentileInterval(values: Float64Array, confidence: number): [number, number] {
  values.sort();
  return [percentileSorted(values, ((1 - confidence) / 2) * 100), percentileSorted(values, ((1 + confidence) / 2) * 100)];
}
