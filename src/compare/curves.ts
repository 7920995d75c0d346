/**
 * A replicate group's curve: each run's series smoothed on its own (every point it has, before any
 * thinning for a plot: tensorboard#1518), then the runs' mean on a common x grid, each run linearly
 * interpolated inside its own range and never extrapolated past it, with a band and the number of
 * runs behind every grid point.
 *
 * The code lives in one self-contained factory so that the HTML report runs the very same
 * functions in the page (its smoothing slider): `curveKit.toString()` is inlined there. Nothing in
 * it may refer to anything outside it.
 */
import { studentTQuantile } from '../stats/student-t.js';

export type Band = 'ci' | 'std' | 'minmax' | 'none';

/** One run's series as parallel arrays, x ascending. */
export interface XY {
  x: number[];
  y: number[];
}

export interface GroupCurve {
  x: number[];
  mean: number[];
  /** The band's edges; null where fewer than 2 runs cover the point (or no band). */
  lower: (number | null)[];
  upper: (number | null)[];
  /** Runs covering each grid point. */
  count: number[];
}

export interface CurveKit {
  smooth(y: readonly number[], weight: number): number[];
  interpolate(x: readonly number[], y: readonly number[], at: number): number | null;
  grid(runs: readonly XY[], size: number): number[];
  groupCurve(runs: readonly XY[], options: KitCurveOptions): GroupCurve;
}

export interface KitCurveOptions {
  band: Band;
  size: number;
  tQuantiles: readonly number[];
  /** The grid to use (a chart shares one across its groups); default grid(runs, size). */
  x?: readonly number[];
}

export function curveKit(): CurveKit {
  /** TensorBoard's smoothing (vz_line_chart2): an EMA debiased like Adam's, constant series and non-finite values left as they are. */
  function smooth(y: readonly number[], weight: number): number[] {
    if (!(weight > 0)) return y.slice();
    let constant = true;
    for (let i = 1; i < y.length; i++) if (y[i] !== y[0]) constant = false;
    if (constant) return y.slice();
    const out = new Array(y.length);
    let last = 0;
    let accumulated = 0;
    for (let i = 0; i < y.length; i++) {
      const value = y[i]!;
      if (!Number.isFinite(value)) {
        out[i] = value;
        continue;
      }
      last = last * weight + (1 - weight) * value;
      accumulated++;
      out[i] = last / (1 - weight ** accumulated);
    }
    return out;
  }

  /** y at `at` by linear interpolation; null outside [x[0], x[last]]. */
  function interpolate(x: readonly number[], y: readonly number[], at: number): number | null {
    const n = x.length;
    if (n === 0 || at < x[0]! || at > x[n - 1]!) return null;
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (x[mid]! <= at) lo = mid;
      else hi = mid;
    }
    if (x[lo] === at) return y[lo]!;
    if (x[hi] === at || x[hi] === x[lo]) return y[hi]!;
    return y[lo]! + ((at - x[lo]!) / (x[hi]! - x[lo]!)) * (y[hi]! - y[lo]!);
  }

  /** Every x any run has when there are at most `size` of them (no point is invented); else `size` even steps over all runs' range. */
  function grid(runs: readonly XY[], size: number): number[] {
    const seen = new Set<number>();
    for (const run of runs) {
      for (const value of run.x) {
        seen.add(value);
        if (seen.size > size) break;
      }
      if (seen.size > size) break;
    }
    if (seen.size <= size) return [...seen].sort((a, b) => a - b);
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const run of runs) {
      if (run.x.length === 0) continue;
      if (run.x[0]! < min) min = run.x[0]!;
      if (run.x[run.x.length - 1]! > max) max = run.x[run.x.length - 1]!;
    }
    const out: number[] = [];
    for (let i = 0; i < size; i++) out.push(min + ((max - min) * i) / (size - 1));
    return out;
  }

  /** The mean over runs at each grid x, the band, and the count; tQuantiles[df] is t(1 − α/2, df) for the 'ci' band. */
  function groupCurve(runs: readonly XY[], options: KitCurveOptions): GroupCurve {
    const usable = runs.filter((run) => run.x.length > 0);
    const x = options.x ? options.x.slice() : grid(usable, options.size);
    const curve: GroupCurve = { x, mean: [], lower: [], upper: [], count: [] };
    for (const at of x) {
      const values: number[] = [];
      for (const run of usable) {
        const value = interpolate(run.x, run.y, at);
        if (value !== null && Number.isFinite(value)) values.push(value);
      }
      const n = values.length;
      let sum = 0;
      for (const v of values) sum += v;
      const mean = n > 0 ? sum / n : Number.NaN;
      let lower: number | null = null;
      let upper: number | null = null;
      if (n >= 2 && options.band !== 'none') {
        if (options.band === 'minmax') {
          lower = Math.min(...values);
          upper = Math.max(...values);
        } else {
          let squares = 0;
          for (const v of values) squares += (v - mean) * (v - mean);
          const sd = Math.sqrt(squares / (n - 1));
          const half = options.band === 'std' ? sd : options.tQuantiles[n - 1]! * (sd / Math.sqrt(n));
          lower = mean - half;
          upper = mean + half;
        }
      }
      curve.mean.push(mean);
      curve.lower.push(lower);
      curve.upper.push(upper);
      curve.count.push(n);
    }
    return curve;
  }

  return { smooth, interpolate, grid, groupCurve };
}

const KIT = curveKit();

/** t(1 − α/2, df) for df = 0 … maxRuns − 1 (index 0 unused): the page gets the table, not the t distribution. */
export function tQuantileTable(maxRuns: number, confidence: number): number[] {
  const table = [Number.NaN];
  for (let df = 1; df < maxRuns; df++) table.push(studentTQuantile((1 + confidence) / 2, df));
  return table;
}

/** Points of the grid when the runs have more distinct x values than this. */
export const CURVE_POINTS = 400;

export interface CurveOptions {
  band: Band;
  /** TensorBoard's smoothing weight, 0 ≤ w < 1. */
  smooth: number;
  confidence: number;
  size?: number;
}

/** A group's curve from its runs' full series: each smoothed first, then averaged on the grid. */
export function groupCurve(runs: readonly XY[], options: CurveOptions): GroupCurve {
  const smoothed = runs.map((run) => ({ x: run.x, y: KIT.smooth(run.y, options.smooth) }));
  return KIT.groupCurve(smoothed, { band: options.band, size: options.size ?? CURVE_POINTS, tQuantiles: tQuantileTable(runs.length, options.confidence) });
}

export const { smooth: smoothSeries, interpolate: interpolateXY } = KIT;

/** A metric's points as the kit's arrays, non-finite steps dropped. */
export function seriesXY(points: readonly { step: number; value: number }[]): XY {
  const x: number[] = [];
  const y: number[] = [];
  for (const p of points) {
    if (!Number.isFinite(p.step)) continue;
    x.push(p.step);
    y.push(p.value);
  }
  return { x, y };
}
