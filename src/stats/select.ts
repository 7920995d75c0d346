/**
 * Order statistics without a full sort: the bootstrap needs the trimmed mean of every resample, and
 * sorting 570 values 50,000 times per group was most of the time (issue 13 asks for selection).
 */

/** Rearranges values[lo..hi] so that values[k] is the value a sort would put there, smaller ones before it, larger after. */
export function selectInPlace(values: Float64Array, k: number, lo = 0, hi = values.length - 1): void {
  while (hi > lo) {
    // Median of three as the pivot: sorted or constant input stays linear.
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < values[lo]!) swap(values, mid, lo);
    if (values[hi]! < values[lo]!) swap(values, hi, lo);
    if (values[hi]! < values[mid]!) swap(values, hi, mid);
    const pivot = values[mid]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        swap(values, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

function swap(values: Float64Array, i: number, j: number): void {
  const t = values[i]!;
  values[i] = values[j]!;
  values[j] = t;
}

/** scipy.stats.trim_mean(values, proportion): drops floor(proportion·n) values from each end. Reorders values. */
export function trimMeanInPlace(values: Float64Array, proportion: number): number {
  const n = values.length;
  const cut = Math.floor(proportion * n);
  const last = n - cut - 1;
  if (cut > 0) {
    selectInPlace(values, cut);
    selectInPlace(values, last, cut, n - 1);
  }
  let sum = 0;
  for (let i = cut; i <= last; i++) sum += values[i]!;
  return sum / (last - cut + 1);
}

/** numpy.median. Reorders values. */
export function medianInPlace(values: Float64Array): number {
  const n = values.length;
  const upper = n >>> 1;
  selectInPlace(values, upper);
  if (n % 2 === 1) return values[upper]!;
  let below = values[0]!;
  for (let i = 1; i < upper; i++) if (values[i]! > below) below = values[i]!;
  return (below + values[upper]!) / 2;
}
