/** Median and spread of timing samples; the harness reports both so one slow repetition cannot hide. */
export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { n: 0, median: Number.NaN, min: Number.NaN, max: Number.NaN };
  const mid = Math.floor(n / 2);
  const median = n % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { n, median, min: sorted[0], max: sorted[n - 1] };
}

/**
 * Runs each measurement `reps` times, alternating between them (a, b, a, b, …) so that a change in
 * the machine's load hits every side alike. Each `measure` returns milliseconds (or any number).
 */
export async function alternate(measures, reps) {
  const samples = Object.fromEntries(Object.keys(measures).map((key) => [key, []]));
  for (let rep = 0; rep < reps; rep++) {
    for (const [key, measure] of Object.entries(measures)) samples[key].push(await measure(rep));
  }
  return Object.fromEntries(Object.entries(samples).map(([key, values]) => [key, { ...summarize(values), samples: values }]));
}

/**
 * The median of f(a[i], b[i]) over repetitions measured side by side: on a machine whose load
 * drifts, rl-run against the baseline run next to it says more than one median against another.
 */
export function pairedMedian(a, b, f) {
  return summarize(a.samples.map((value, i) => f(value, b.samples[i]))).median;
}

/** "123 ms (110–140)" */
export function ms(stat, digits = 0) {
  return `${stat.median.toFixed(digits)} ms (${stat.min.toFixed(digits)}–${stat.max.toFixed(digits)})`;
}

export function now() {
  return Number(process.hrtime.bigint()) / 1e6;
}
