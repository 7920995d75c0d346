import { describe, expect, it } from 'vitest';
import { percentileInterval, percentileSorted } from '../../src/stats/percentile.js';
import { studentTCdf, studentTQuantile } from '../../src/stats/student-t.js';
import { tInterval } from '../../src/stats/summary.js';

describe("numpy's linear percentile", () => {
  // Worked by hand from numpy's rule: rank (n−1)·q/100, interpolate between its neighbours.
  it.each([
    [[1, 2, 3, 4], 50, 2.5],
    [[1, 2, 3, 4], 25, 1.75],
    [[1, 2, 3, 4], 2.5, 1.075],
    [[1, 2, 3, 4], 97.5, 3.925],
    [[10, 20, 30, 40, 50], 90, 46],
    [[10, 20, 30, 40, 50], 0, 10],
    [[10, 20, 30, 40, 50], 100, 50],
    [[7], 2.5, 7],
    [[0, 1], 97.5, 0.975],
  ])('percentile(%j, %d) = %d', (values, q, expected) => {
    expect(percentileSorted(values, q)).toBeCloseTo(expected, 12);
  });

  it('the central interval sorts first: 95% of 0..100 is [2.5, 97.5]', () => {
    const values = Float64Array.from({ length: 101 }, (_, i) => 100 - i);
    const [lo, hi] = percentileInterval(values, 0.95);
    expect(lo).toBeCloseTo(2.5, 12);
    expect(hi).toBeCloseTo(97.5, 12);
  });
});

describe('Student-t quantile (own incomplete beta, no dependency)', () => {
  it.each([
    [2, 4.302653],
    [4, 2.776445],
    [9, 2.262157],
    [29, 2.04523],
    [1, 12.706205],
  ])('t(0.975, df=%i) = %d (table value)', (df, expected) => {
    expect(studentTQuantile(0.975, df)).toBeCloseTo(expected, 5);
    expect(studentTQuantile(0.025, df)).toBeCloseTo(-expected, 5);
  });

  it('the CDF at the quantile gives the probability back; t(0.95, df=10) = 1.812461', () => {
    expect(studentTQuantile(0.95, 10)).toBeCloseTo(1.812461, 5);
    for (const df of [1, 3, 7, 50]) for (const p of [0.6, 0.9, 0.995]) expect(studentTCdf(studentTQuantile(p, df), df)).toBeCloseTo(p, 10);
  });

  it('the t interval of a single task: mean ± t·s/√n, none for one value', () => {
    // mean 2, s = 1, n = 3: 2 ± 4.302653/√3.
    const [lo, hi] = tInterval([1, 2, 3], 0.95)!;
    expect(lo).toBeCloseTo(2 - 4.302653 / Math.sqrt(3), 5);
    expect(hi).toBeCloseTo(2 + 4.302653 / Math.sqrt(3), 5);
    expect(tInterval([5], 0.95)).toBeNull();
  });
});
