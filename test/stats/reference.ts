/**
 * Obviously-correct implementations of rliable 1.2.0's definitions, written independently of
 * src/stats (full sorts, double loops, their own generator), for the tests to compare against.
 */
export type Table = number[][]; // [task][run]

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const average = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

export function refIqm(table: Table): number {
  const all = sorted(table.flat());
  const cut = Math.floor(0.25 * all.length);
  return average(all.slice(cut, all.length - cut));
}

export function refMedianValue(values: number[]): number {
  const s = sorted(values);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

export const refMean = (table: Table) => average(table.map(average));
export const refMedian = (table: Table) => refMedianValue(table.map(average));
export const refOptimalityGap = (table: Table, gamma: number) => gamma - average(table.flat().map((v) => Math.min(v, gamma)));

export function refImprovement(x: Table, y: Table): number {
  const perTask = x.map((xt, t) => {
    const yt = y[t]!;
    let u = 0;
    for (const a of xt) for (const b of yt) u += a > b ? 1 : a === b ? 0.5 : 0;
    return u / (xt.length * yt.length);
  });
  return average(perTask);
}

/** numpy.percentile(values, q), linear: the value at fractional rank (n−1)·q/100. */
export function refPercentile(values: number[], q: number): number {
  const s = sorted(values);
  const rank = ((s.length - 1) * q) / 100;
  const below = Math.floor(rank);
  if (below === s.length - 1) return s[below]!;
  return s[below]! * (1 - (rank - below)) + s[below + 1]! * (rank - below);
}

/** mulberry32: a different generator from the one src/stats uses. */
export { mulberry32 } from '../support/mulberry32.mjs';

/** A table of tasks × runs drawn from random(), optionally rounded to make ties. */
export function randomTable(random: () => number, tasks: number, runs: number, options: { ties?: boolean; scale?: number } = {}): Table {
  return Array.from({ length: tasks }, (_, t) =>
    Array.from({ length: runs }, () => {
      const value = (random() + t * 0.1) * (options.scale ?? 1);
      return options.ties ? Math.round(value * 4) / 4 : value;
    }),
  );
}

const resample = (row: number[], random: () => number) => row.map(() => row[Math.floor(random() * row.length)]!);

/** A plain stratified bootstrap: the interval of statistic over reps resamples of every task's runs. */
export function refBootstrap(tables: Table[], statistic: (...resampled: Table[]) => number, reps: number, confidence: number, random: () => number): [number, number] {
  const values: number[] = [];
  for (let rep = 0; rep < reps; rep++) values.push(statistic(...tables.map((table) => table.map((row) => resample(row, random)))));
  return [refPercentile(values, ((1 - confidence) / 2) * 100), refPercentile(values, ((1 + confidence) / 2) * 100)];
}
