import { describe, expect, it } from 'vitest';
import { aggregates, probabilityOfImprovement } from '../../src/stats/aggregates.js';
import { bootstrapAggregates, bootstrapImprovement } from '../../src/stats/bootstrap.js';
import { seededRandom } from '../../src/stats/random.js';
import { groupStatistics } from '../../src/stats/summary.js';
import { type Table, mulberry32, randomTable, refBootstrap, refIqm, refImprovement, refMean, refMedian, refOptimalityGap } from './reference.js';

const REPS = 50_000;

describe("the 'rliable' interval agrees with an independent stratified bootstrap", () => {
  // Continuous scores, so that the percentiles are not stuck on a few discrete values: 8 runs × 6 tasks, and 10 runs for Y.
  const x = randomTable(mulberry32(11), 6, 8);
  // P(X > Y) moves in steps of 1/(tasks·nx·ny): 20 tasks × 10 and 12 runs keep the steps well under 2% of the width
  // (with 6 tasks × 8 and 10 runs the steps alone were ~1% and the ends differed by 2.0%).
  const px = randomTable(mulberry32(21), 20, 10);
  const py = randomTable(mulberry32(22), 20, 12, { scale: 0.9 });

  const close = (got: [number, number], expected: [number, number]) => {
    const width = expected[1] - expected[0];
    expect(width).toBeGreaterThan(0);
    expect(Math.abs(got[0] - expected[0]), `lower end ${got[0]} vs ${expected[0]}`).toBeLessThanOrEqual(0.02 * width);
    expect(Math.abs(got[1] - expected[1]), `upper end ${got[1]} vs ${expected[1]}`).toBeLessThanOrEqual(0.02 * width);
  };

  it('IQM, mean, median and optimality gap: both 50,000 repetitions, ends within 2% of the width', () => {
    const got = bootstrapAggregates(x, { gamma: 0.8, reps: REPS, confidence: 0.95, random: seededRandom(1) });
    const statistics: [keyof typeof got, (t: Table) => number][] = [
      ['iqm', refIqm],
      ['mean', refMean],
      ['median', refMedian],
      ['optimalityGap', (t) => refOptimalityGap(t, 0.8)],
    ];
    for (const [name, statistic] of statistics) close(got[name], refBootstrap([x], statistic, REPS, 0.95, mulberry32(99)));
  });

  it('probability of improvement (X and Y resampled independently, unequal runs): 50,000 repetitions each, within 2%', () => {
    const got = bootstrapImprovement(px, py, { reps: REPS, confidence: 0.95, random: seededRandom(2) });
    close(got, refBootstrap([px, py], refImprovement, REPS, 0.95, mulberry32(98)));
  });
});

describe('the bootstrap is reproducible and sensible', () => {
  const groups = [
    { label: 'a', runs: ['1', '2', '3', '4', '5', '6'], tasks: { t1: [0.1, 0.5, 0.4, 0.9, 0.3, 0.6], t2: [1, 0.8, 0.7, 0.95, 0.85, 0.6] } },
    { label: 'b', runs: ['1', '2', '3', '4', '5'], tasks: { t1: [0.2, 0.1, 0.3, 0.25, 0.05], t2: [0.5, 0.6, 0.4, 0.45, 0.7] } },
  ];
  const options = { ciMethod: 'rliable' as const, confidence: 0.95, reps: 2000, poiReps: 500, randomState: 42, gamma: 1 };

  it('the same input and random state give the same intervals; another random state other ones', () => {
    const first = groupStatistics(groups, options);
    expect(groupStatistics(groups, options)).toEqual(first);
    expect(groupStatistics(groups, { ...options, randomState: 7 }).groups[0]!.iqm.ci).not.toEqual(first.groups[0]!.iqm.ci);
  });

  it('every interval contains its point estimate, and the points are the plain definitions', () => {
    const result = groupStatistics(groups, options);
    for (const group of result.groups) {
      const table = Object.values(group.tasks);
      expect(group.iqm.value).toBe(aggregates(table, 1).iqm);
      for (const estimate of [group.iqm, group.mean, group.median, group.optimalityGap]) {
        expect(estimate.ci![0]).toBeLessThanOrEqual(estimate.value);
        expect(estimate.ci![1]).toBeGreaterThanOrEqual(estimate.value);
      }
    }
    const [poi] = result.probabilityOfImprovement;
    expect(poi).toMatchObject({ x: 'a', y: 'b', value: probabilityOfImprovement(Object.values(groups[0]!.tasks), Object.values(groups[1]!.tasks)) });
    expect(poi!.ci![0]).toBeLessThanOrEqual(poi!.value);
    expect(poi!.ci![1]).toBeGreaterThanOrEqual(poi!.value);
  });

  it("a single run: no interval under 'auto' (none can be honest), rliable's degenerate one under 'rliable'", () => {
    const single = [
      { label: 'one', runs: ['1'], tasks: { t1: [0.3], t2: [0.6] } },
      { label: 'other', runs: ['1'], tasks: { t1: [0.1], t2: [0.6] } },
    ];
    const auto = groupStatistics(single, { ...options, ciMethod: 'auto' });
    expect(auto.groups[0]!.iqm).toEqual({ value: expect.closeTo(0.45, 12), ci: null });
    expect(auto.probabilityOfImprovement[0]).toEqual({ x: 'one', y: 'other', value: 0.75, ci: null });
    const rliable = groupStatistics(single, options);
    expect(rliable.groups[0]!.iqm.ci).toEqual([expect.closeTo(0.45, 12), expect.closeTo(0.45, 12)]);
    expect(rliable.probabilityOfImprovement[0]!.ci).toEqual([0.75, 0.75]);
  });

  it("'auto': a t interval for one task's mean (wider than the bootstrap's at 3 runs) and a warning under 5 runs", () => {
    const one = [{ label: 'few', runs: ['1', '2', '3'], tasks: { t: [0.2, 0.5, 0.6] } }];
    const auto = groupStatistics(one, { ...options, ciMethod: 'auto' });
    const rliable = groupStatistics(one, options);
    const [lo, hi] = auto.groups[0]!.mean.ci!;
    expect(lo).toBeCloseTo(13 / 30 - (4.302653 * Math.sqrt(0.043333333 / 3)), 4);
    expect(hi - lo).toBeGreaterThan(rliable.groups[0]!.mean.ci![1] - rliable.groups[0]!.mean.ci![0]);
    expect(auto.groups[0]!.median.ci).toEqual(auto.groups[0]!.mean.ci);
    expect(auto.warnings).toEqual([expect.stringMatching(/group few has 3 runs.*fewer than 5/)]);
    expect(rliable.warnings).toEqual([]);
  });
});
