import { describe, expect, it } from 'vitest';
import { aggregates, probabilityOfImprovement } from '../../src/stats/aggregates.js';
import { medianInPlace, selectInPlace, trimMeanInPlace } from '../../src/stats/select.js';
import { mulberry32, randomTable, refIqm, refImprovement, refMean, refMedian, refMedianValue, refOptimalityGap } from './reference.js';

// [tasks, runs, ties]: N·M of 1, 2, 3, 5, 35 and 570 (several not divisible by 4), with and without ties.
const SHAPES: [number, number, boolean][] = [
  [1, 1, false],
  [1, 2, true],
  [1, 3, false],
  [1, 5, true],
  [5, 7, false],
  [5, 7, true],
  [4, 6, true],
  [57, 10, false],
  [57, 10, true],
];

describe('point estimates equal a direct implementation of the definitions (1e-9)', () => {
  it.each(SHAPES)('%i tasks × %i runs, ties %s: IQM, mean, median, optimality gap', (tasks, runs, ties) => {
    const random = mulberry32(tasks * 100 + runs + (ties ? 7 : 0));
    for (let trial = 0; trial < 20; trial++) {
      const table = randomTable(random, tasks, runs, { ties });
      for (const gamma of [1, 0.5, 10]) {
        const got = aggregates(table, gamma);
        expect(got.iqm).toBeCloseTo(refIqm(table), 9);
        expect(got.mean).toBeCloseTo(refMean(table), 9);
        expect(got.median).toBeCloseTo(refMedian(table), 9);
        expect(got.optimalityGap).toBeCloseTo(refOptimalityGap(table, gamma), 9);
      }
    }
  });

  it('a hand-worked table: IQM drops floor(0.25·N·M) from each end', () => {
    // 7 values, floor(1.75) = 1 dropped at each end: mean of 2, 3, 3, 5, 8 = 4.2.
    expect(aggregates([[1, 2, 3, 3, 5, 8, 13]], 1).iqm).toBeCloseTo(4.2, 12);
    // Two tasks: per-task means 2 and 6; median of two = 4, mean = 4; clipped at 3: (1+2+3+3+3+3)/6.
    const two = aggregates([[1, 2, 3], [5, 6, 7]], 3);
    expect(two).toEqual({ iqm: expect.closeTo(4, 12), mean: 4, median: 4, optimalityGap: expect.closeTo(3 - 15 / 6, 12) });
  });

  it.each([
    [1, 1, true],
    [3, 5, true],
    [3, 2, false],
    [57, 10, false],
    [6, 3, true],
  ])('probability of improvement with %i tasks, x %i runs, ties %s (y has other run counts)', (tasks, xRuns, ties) => {
    const random = mulberry32(tasks + xRuns);
    for (let trial = 0; trial < 20; trial++) {
      const x = randomTable(random, tasks, xRuns, { ties });
      const y = randomTable(random, tasks, xRuns + 1 + (trial % 3), { ties });
      expect(probabilityOfImprovement(x, y)).toBeCloseTo(refImprovement(x, y), 9);
      expect(probabilityOfImprovement(x, y) + probabilityOfImprovement(y, x)).toBeCloseTo(1, 12);
    }
  });

  it('probability of improvement counts a tie as half: identical groups give 0.5', () => {
    expect(probabilityOfImprovement([[1, 1], [2, 3]], [[1], [2]])).toBeCloseTo((0.5 + 0.75) / 2, 12);
  });
});

describe('selection', () => {
  it('selectInPlace puts the k-th smallest at k, smaller before, larger after (ties, sorted and reversed input)', () => {
    const random = mulberry32(3);
    const inputs = [
      ...Array.from({ length: 200 }, (_, i) => Array.from({ length: 1 + (i % 41) }, () => Math.floor(random() * 5))),
      Array.from({ length: 50 }, (_, i) => i),
      Array.from({ length: 50 }, (_, i) => 50 - i),
      Array.from({ length: 50 }, () => 7),
    ];
    for (const input of inputs) {
      const expected = [...input].sort((a, b) => a - b);
      for (let k = 0; k < input.length; k++) {
        const values = Float64Array.from(input);
        selectInPlace(values, k);
        expect(values[k]).toBe(expected[k]);
        for (let i = 0; i < k; i++) expect(values[i]).toBeLessThanOrEqual(values[k]!);
        for (let i = k + 1; i < input.length; i++) expect(values[i]).toBeGreaterThanOrEqual(values[k]!);
      }
      expect(medianInPlace(Float64Array.from(input))).toBe(refMedianValue(input));
      expect(trimMeanInPlace(Float64Array.from(input), 0.25)).toBeCloseTo(refIqm([input]), 12);
    }
  });
});
