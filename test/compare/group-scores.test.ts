import { describe, expect, it } from 'vitest';
import { scoreGroups } from '../../src/compare/group-scores.js';
import { groupRuns } from '../../src/compare/groups.js';
import type { CompareRun } from '../../src/compare/plan.js';
import { SeriesBuilder } from '../../src/metrics/series-builder.js';

function run(id: string, params: Record<string, string | number>, values: number[]): CompareRun {
  const reward = new SeriesBuilder('reward', 'csv', 'p.csv');
  for (const [i, value] of values.entries()) reward.add(i * 100, value);
  return { id, status: 'succeeded', duration: '1m', dir: `/tmp/${id}`, params, series: new Map([['reward', reward.build()]]) };
}

describe('group scores as rliable tables', () => {
  const runs = [
    run('a1', { lr: 1, env: 'hopper', seed: 1 }, [0, 10]),
    run('a2', { lr: 1, env: 'walker', seed: 1 }, [0, 100]),
    run('a3', { lr: 1, env: 'hopper', seed: 2 }, [0, 20]),
    run('a4', { lr: 1, env: 'walker', seed: 2 }, [0, 300]),
    run('b1', { lr: 2, env: 'hopper', seed: 1 }, [0, 30]),
    run('b2', { lr: 2, env: 'walker', seed: 1 }, [0, 200]),
    run('b3', { lr: 2, env: 'hopper', seed: 2 }, [0, 40]),
    run('b4', { lr: 2, env: 'walker', seed: 2 }, [0, 400]),
  ];

  it('--task-by env: one table column per env, runs of a task in group order; --normalize maps min..max to 0..1', () => {
    const groups = groupRuns(runs, { taskBy: 'env' });
    const ranges = new Map([
      ['hopper', { min: 0, max: 40 }],
      ['walker', { min: 0, max: 400 }],
    ]);
    const { groups: scored, notes } = scoreGroups(groups, { metric: 'reward', score: { kind: 'last' }, taskBy: 'env', ranges });
    expect(notes).toEqual([]);
    expect(scored.map((g) => [g.label, g.runs, g.tasks])).toEqual([
      ['lr=1', ['a1', 'a3', 'a2', 'a4'], { hopper: [0.25, 0.5], walker: [0.25, 0.75] }],
      ['lr=2', ['b1', 'b3', 'b2', 'b4'], { hopper: [0.75, 1], walker: [0.5, 1] }],
    ]);
  });

  it('a task missing from --normalize, unequal runs per task and groups on other tasks are usage errors naming them', () => {
    const groups = groupRuns(runs, { taskBy: 'env' });
    expect(() => scoreGroups(groups, { metric: 'reward', score: { kind: 'last' }, taskBy: 'env', ranges: new Map([['hopper', { min: 0, max: 1 }]]) })).toThrow(
      '--normalize: task walker (of a2) has no row in the file; add walker,MIN,MAX',
    );
    const uneven = groupRuns(runs.slice(0, 7), { taskBy: 'env' });
    expect(() => scoreGroups(uneven, { metric: 'reward', score: { kind: 'last' }, taskBy: 'env' })).toThrow(
      "group lr=2 has 2 on hopper, 1 on walker: rliable's statistics need as many runs on every task; select runs so they match",
    );
    const apart = groupRuns([runs[0]!, runs[2]!, runs[5]!, runs[7]!], { taskBy: 'env' });
    expect(() => scoreGroups(apart, { metric: 'reward', score: { kind: 'last' }, taskBy: 'env' })).toThrow('group lr=2 has the tasks walker and group lr=1 hopper: every group needs the same tasks');
  });

  it('runs without a score are left out and said; a group left with none is dropped and said', () => {
    const groups = groupRuns([runs[0]!, runs[2]!, run('c', { lr: 3, env: 'hopper', seed: 1 }, [5])], { taskBy: 'env' });
    const { groups: scored, notes } = scoreGroups(groups, { metric: 'reward', score: { kind: 'at', step: 100 }, taskBy: 'env' });
    expect(scored.map((g) => g.label)).toEqual(['lr=1']);
    expect(notes).toEqual(['c (lr=3) did not reach step 100 (its last is 0): left out of reward (--score at:100)', 'group lr=3: no run has a score on reward; the group is left out']);
  });
});
