import { describe, expect, it } from 'vitest';
import { curveKit, groupCurve, smoothSeries, tQuantileTable, type XY } from '../../src/compare/curves.js';
import { studentTQuantile } from '../../src/stats/student-t.js';
import { mulberry32 } from '../stats/reference.js';

/** TensorBoard's debiased EMA written as its closed form: Σ w^(k−i)(1−w)·v_i / (1 − w^(k+1)). */
function refSmooth(y: number[], w: number): number[] {
  return y.map((_, k) => {
    let sum = 0;
    for (let i = 0; i <= k; i++) sum += w ** (k - i) * (1 - w) * y[i]!;
    return sum / (1 - w ** (k + 1));
  });
}

/** A run's value at x by scanning its segments; undefined outside its range. */
function refValue(run: XY, at: number): number | undefined {
  for (let i = 0; i < run.x.length; i++) if (run.x[i] === at) return run.y[i];
  for (let i = 0; i + 1 < run.x.length; i++) {
    const [x0, x1, y0, y1] = [run.x[i]!, run.x[i + 1]!, run.y[i]!, run.y[i + 1]!];
    if (x0 < at && at < x1) return y0 + ((y1 - y0) * (at - x0)) / (x1 - x0);
  }
  return undefined;
}

function randomRun(random: () => number, first: number, last: number, n: number): XY {
  const x = Array.from({ length: n }, (_, i) => Math.round(first + ((last - first) * i) / (n - 1)));
  return { x, y: x.map(() => random() * 10) };
}

describe('group curves', () => {
  const random = mulberry32(7);
  const runs = [randomRun(random, 0, 1000, 51), randomRun(random, 10, 700, 23), randomRun(random, 0, 1000, 40), randomRun(random, 300, 1200, 9)];

  it('smoothing is TensorBoard’s debiased EMA, to 1e-9', () => {
    for (const w of [0, 0.3, 0.6, 0.9, 0.99]) {
      const y = runs[0]!.y;
      const ours = smoothSeries(y, w);
      for (const [i, v] of refSmooth(y, w).entries()) expect(ours[i]).toBeCloseTo(v, 9);
    }
    expect(smoothSeries([5, 5, 5], 0.9)).toEqual([5, 5, 5]);
  });

  for (const band of ['ci', 'std', 'minmax'] as const) {
    it(`the mean, the ${band} band and the count at every grid x equal a brute-force computation; nothing is extrapolated`, () => {
      const curve = groupCurve(runs, { band, smooth: 0.5, confidence: 0.95, size: 60 });
      const smoothed = runs.map((run) => ({ x: run.x, y: refSmooth(run.y, 0.5) }));
      expect(curve.x).toHaveLength(60);
      expect(curve.x[0]).toBe(0);
      expect(curve.x.at(-1)).toBe(1200);
      curve.x.forEach((at, i) => {
        const values = smoothed.map((run) => refValue(run, at)).filter((v): v is number => v !== undefined);
        expect(curve.count[i]).toBe(values.length);
        const mean = values.reduce((a, b) => a + b, 0) / values.length;
        expect(curve.mean[i]).toBeCloseTo(mean, 9);
        if (values.length < 2) {
          expect([curve.lower[i], curve.upper[i]]).toEqual([null, null]);
          return;
        }
        const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
        const [lo, hi] =
          band === 'minmax'
            ? [Math.min(...values), Math.max(...values)]
            : band === 'std'
              ? [mean - sd, mean + sd]
              : [mean - (studentTQuantile(0.975, values.length - 1) * sd) / Math.sqrt(values.length), mean + (studentTQuantile(0.975, values.length - 1) * sd) / Math.sqrt(values.length)];
        expect(curve.lower[i]).toBeCloseTo(lo, 9);
        expect(curve.upper[i]).toBeCloseTo(hi, 9);
      });
      // Past 1000 only the run ending at 1200 remains: one run, no band.
      const late = curve.x.findIndex((x) => x > 1000);
      expect(curve.count[late]).toBe(1);
    });
  }

  it('few distinct steps: the grid is exactly the runs’ steps (no point invented); --band none draws no band', () => {
    const curve = groupCurve([{ x: [0, 10, 20], y: [1, 2, 3] }, { x: [0, 10], y: [3, 4] }], { band: 'none', smooth: 0, confidence: 0.95 });
    expect(curve).toEqual({ x: [0, 10, 20], mean: [2, 3, 3], lower: [null, null, null], upper: [null, null, null], count: [2, 2, 1] });
  });

  it('the kit runs the same when inlined into a page from its source text', () => {
    const inlined = new Function(`return (${curveKit.toString()})();`)() as ReturnType<typeof curveKit>;
    const options = { band: 'ci' as const, size: 50, tQuantiles: tQuantileTable(4, 0.95) };
    expect(inlined.groupCurve(runs, options)).toEqual(curveKit().groupCurve(runs, options));
  });
});
