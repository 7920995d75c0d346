import { describe, expect, it } from 'vitest';
import { compareCsv, compareJson, renderCompareTable } from '../../src/compare/output.js';
import { formatValue } from '../../src/format/numbers.js';
import { type CompareRun, planComparison } from '../../src/compare/plan.js';
import { betterDirection, defaultMetrics } from '../../src/compare/metric-choice.js';
import type { MetricSeries } from '../../src/metrics/series.js';
import { SeriesBuilder } from '../../src/metrics/series-builder.js';

function series(name: string, values: number[]): MetricSeries {
  const builder = new SeriesBuilder(name, 'csv', 'progress.csv');
  values.forEach((value, i) => {
    builder.add((i + 1) * 100, value);
  });
  return builder.build();
}

function run(id: string, lr: number, metrics: Record<string, number[]>): CompareRun {
  return {
    id,
    status: 'succeeded',
    duration: '1m',
    dir: `/runs/${id}`,
    params: { name: 'train', lr, seed: 0 },
    series: new Map(Object.entries(metrics).map(([name, values]) => [name, series(name, values)])),
  };
}

const runs = [
  run('a', 0.0003, { 'rollout/ep_rew_mean': [1, 5, 3], 'train/loss': [3, 1, 2], fps: [10] }),
  run('b', 0.001, { 'rollout/ep_rew_mean': [2, 8, 7], 'train/loss': [4, 2, 0.5] }),
];

describe('which metrics and which way is better', () => {
  it.each<[string, 'max' | 'min']>([
    ['rollout/ep_rew_mean', 'max'],
    ['train/loss', 'min'],
    ['eval/mean_reward', 'max'],
    ['train/approx_kl', 'min'],
    ['time/fps', 'max'],
  ])('%s: %s', (name, direction) => {
    expect(betterDirection(name)).toBe(direction);
  });

  it('default: metrics common to all runs, reward-like first, as many as fit', () => {
    const perRun = [['train/loss', 'z', 'eval/mean_reward', 'episodic_return'], ['episodic_return', 'z', 'train/loss', 'eval/mean_reward', 'only_b']];
    expect(defaultMetrics(perRun, 1000, () => 10)).toEqual(['eval/mean_reward', 'episodic_return', 'train/loss', 'z']);
    expect(defaultMetrics(perRun, 25, () => 10)).toEqual(['eval/mean_reward', 'episodic_return']);
  });

  it.each<[string, string[], string[]]>([
    ['SB3 with a monitor.csv: the episode mean, not one raw episode', ['monitor/ep_len', 'monitor/ep_rew', 'rollout/ep_len_mean', 'rollout/ep_rew_mean', 'time/fps'], ['rollout/ep_rew_mean', 'monitor/ep_rew']],
    ['SB3 with EvalCallback', ['monitor/ep_rew', 'eval/mean_reward', 'rollout/ep_rew_mean', 'eval/mean_ep_length'], ['eval/mean_reward', 'rollout/ep_rew_mean']],
    ['reinforce.py: the running average before the last episode', ['Last_reward', 'Average_reward'], ['Average_reward', 'Last_reward']],
    ['baselines: the 100-episode mean', ['episodes', 'mean_100_episode_reward', 'steps'], ['mean_100_episode_reward', 'episodes']],
  ])('first choices, %s', (_, names, first) => {
    expect(defaultMetrics([names], 1000, () => 10).slice(0, 2)).toEqual(first);
  });
});

describe('the comparison plan', () => {
  it('differing params only, common metrics with last and best', () => {
    const plan = planComparison(runs, { metrics: [], allParams: false, width: 200 });
    expect(plan.paramColumns).toEqual(['lr']);
    expect(plan.metrics).toEqual(['rollout/ep_rew_mean', 'train/loss']);
    expect(plan.rows.map((r) => [r.run.id, r.cells['rollout/ep_rew_mean']?.last, r.cells['rollout/ep_rew_mean']?.best, r.cells['train/loss']?.best])).toEqual([
      ['a', 3, 5, 1],
      ['b', 7, 8, 0.5],
    ]);
  });

  it('--csv: every metric any run has, whatever the width; constants stay beside the params', () => {
    const many = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`metric_${String(i).padStart(2, '0')}`, [i, i + 1]]));
    const wide = [run('a', 1, { ...many, only_a: [1, 2], lr_const: [1] }), run('b', 2, { ...many, lr_const: [2] })];
    expect(planComparison(wide, { metrics: [], allParams: false, width: 120 }).metrics.length).toBeLessThan(17);
    const csv = planComparison(wide, { metrics: [], allParams: false, width: 120, everyMetric: true });
    expect(csv.metrics).toEqual([...Object.keys(many), 'only_a']);
    expect(csv.constantColumns).toEqual(['lr_const']);
    expect(compareCsv(csv).split('\n')[0]!.split(',').length).toBe(3 + 2 + 18 * 2);
  });

  it('--all-params, --metrics and --sort', () => {
    const plan = planComparison(runs, { metrics: ['train/loss'], allParams: true, sort: 'train/loss', width: 80 });
    expect(plan.paramColumns).toEqual(['name', 'lr', 'seed']);
    expect(plan.metrics).toEqual(['train/loss']);
    expect(plan.rows.map((r) => r.run.id)).toEqual(['b', 'a']);
  });

  it('sorting by reward puts the best first and runs without it last', () => {
    const plan = planComparison([...runs, run('c', 1, { fps: [1] })], { metrics: ['fps'], allParams: false, sort: 'rollout/ep_rew_mean', width: 80 });
    expect(plan.rows.map((r) => r.run.id)).toEqual(['b', 'a', 'c']);
  });

  it('an unknown metric is a usage error that says where to look', () => {
    expect(() => planComparison(runs, { metrics: ['ep_rew'], allParams: false, width: 80 })).toThrow(/no run has a metric 'ep_rew' \(did you mean rollout\/ep_rew_mean\?\); 'rl-run metrics <run>'/);
  });

  it('renders a table, JSON and CSV; a one-point series (fps) is a constant, under constants in JSON', () => {
    const plan = planComparison(runs, { metrics: [], allParams: false, width: 200 });
    expect(renderCompareTable(plan).split('\n')).toEqual([
      'ID  STATUS     DURATION  lr      rollout/ep_rew_mean  best  train/loss  best',
      'a   succeeded  1m        0.0003  3                    5     2           1',
      'b   succeeded  1m        0.001   7                    8     0.5         0.5',
    ]);
    expect(compareJson(plan, false)).toEqual({
      runs: [
        { id: 'a', status: 'succeeded', dir: '/runs/a', params: { name: 'train', lr: 0.0003, seed: 0 }, constants: { fps: 10 }, metrics: {
          'rollout/ep_rew_mean': { last: 3, min: 1, max: 5, count: 3, lastStep: 300 },
          'train/loss': { last: 2, min: 1, max: 3, count: 3, lastStep: 300 },
        } },
        { id: 'b', status: 'succeeded', dir: '/runs/b', params: { name: 'train', lr: 0.001, seed: 0 }, constants: {}, metrics: {
          'rollout/ep_rew_mean': { last: 7, min: 2, max: 8, count: 3, lastStep: 300 },
          'train/loss': { last: 0.5, min: 0.5, max: 4, count: 3, lastStep: 300 },
        } },
      ],
      differingParams: ['lr'],
    });
    expect(compareCsv(plan)).toBe('id,status,duration,lr,rollout/ep_rew_mean last,rollout/ep_rew_mean best,train/loss last,train/loss best\na,succeeded,1m,0.0003,3,5,2,1\nb,succeeded,1m,0.001,7,8,0.5,0.5\n');
  });

  it('constants: not metrics by default, beside the params when they differ, a metric when asked for', () => {
    const withConfig = [
      run('a', 0.1, { reward: [1, 2], config_lr: [0.1], seed: [0], hidden: [64], only_a: [1] }),
      run('b', 0.2, { reward: [3, 4], config_lr: [0.2], seed: [0], hidden: [64] }),
    ];
    const plan = planComparison(withConfig, { metrics: [], allParams: false, width: 200 });
    expect(plan.metrics).toEqual(['reward']);
    expect(plan.constants).toEqual(['config_lr', 'seed', 'hidden', 'only_a']);
    expect(plan.constantColumns).toEqual(['config_lr']);
    expect(renderCompareTable(plan).split('\n')).toEqual([
      'ID  STATUS     DURATION  lr   config_lr  reward  best',
      'a   succeeded  1m        0.1  0.1        2       2',
      'b   succeeded  1m        0.2  0.2        4       4',
    ]);
    // --all-params: every constant all runs have (seed is a parameter already).
    expect(planComparison(withConfig, { metrics: [], allParams: true, width: 200 }).constantColumns).toEqual(['config_lr', 'hidden']);
    const asked = planComparison(withConfig, { metrics: ['seed'], allParams: false, width: 200 });
    expect(asked.metrics).toEqual(['seed']);
    expect(asked.constantColumns).toEqual(['config_lr']);
    expect(compareJson(asked, false)).toMatchObject({ runs: [{ constants: { config_lr: 0.1, seed: 0 }, metrics: { seed: { last: 0 } } }, {}] });
    // One point in one run but a curve in another: a metric in both.
    const mixed = planComparison([run('a', 1, { reward: [5] }), run('b', 2, { reward: [1, 2] })], { metrics: [], allParams: false, width: 200 });
    expect([mixed.metrics, mixed.constants]).toEqual([['reward'], []]);
  });

  it.each<[number | undefined, string]>([
    [undefined, '-'],
    [Number.NaN, '-'],
    [-112.5, '-112.5'],
    [0.00030000001, '3e-4'],
    [123456789.5, '1.235e+8'],
    [2048, '2048'],
    [0.123456789, '0.12346'],
  ])('formatValue(%s) = %s', (value, text) => {
    expect(formatValue(value)).toBe(text);
  });
});
