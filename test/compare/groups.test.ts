import { describe, expect, it } from 'vitest';
import { groupRuns, labelGroups, sweepSeedKeys } from '../../src/compare/groups.js';
import { parseArgParams } from '../../src/compare/params.js';
import { parseTaskRanges } from '../../src/compare/normalize.js';
import { parseScoreSpec, scoreOf } from '../../src/compare/score.js';
import { SeriesBuilder } from '../../src/metrics/series-builder.js';

const run = (id: string, args: string[], sweep?: { id: string; cell: Record<string, string | number> }) => ({
  id,
  params: { name: 'train', script: 'train.py', ...parseArgParams(args) },
  ...(sweep ? { sweep } : {}),
});
const summary = (groups: { label: string; runs: { id: string }[] }[]) => groups.map((g) => [g.label, g.runs.map((r) => r.id)]);

describe('replicate groups', () => {
  it.each([
    ['--seed N', (s: number) => ['--seed', String(s)]],
    ['--seed=N', (s: number) => [`--seed=${s}`]],
    ['Hydra seed=N', (s: number) => [`seed=${s}`]],
    ['--random-seed N', (s: number) => ['--random-seed', String(s)]],
    ['random_seed=N', (s: number) => [`random_seed=${s}`]],
  ])('runs equal except %s form one group, labelled by what differs', (_, seedArgs) => {
    const runs = [1, 2, 3].flatMap((seed) => [run(`a${seed}`, ['--lr', '0.001', ...seedArgs(seed)]), run(`b${seed}`, ['--lr', '3e-4', ...seedArgs(seed)])]);
    expect(summary(groupRuns(runs))).toEqual([
      ['lr=0.001', ['a1', 'a2', 'a3']],
      ['lr=0.0003', ['b1', 'b2', 'b3']],
    ]);
  });

  it('a parameter other than the seed splits groups; --seed-key names another seed; --group-by keeps only its keys', () => {
    const runs = [run('a', ['--lr', '1', '--rng', '1']), run('b', ['--lr', '1', '--rng', '2']), run('c', ['--lr', '2', '--rng', '1'])];
    expect(summary(groupRuns(runs))).toEqual([
      ['lr=1 rng=1', ['a']],
      ['lr=1 rng=2', ['b']],
      ['lr=2 rng=1', ['c']],
    ]);
    expect(summary(groupRuns(runs, { seedKey: 'rng' }))).toEqual([
      ['lr=1', ['a', 'b']],
      ['lr=2', ['c']],
    ]);
    expect(summary(groupRuns(runs, { groupBy: ['rng'] }))).toEqual([
      ['rng=1', ['a', 'c']],
      ['rng=2', ['b']],
    ]);
  });

  it('the task parameter is not part of a group; a missing key is a value of its own', () => {
    const runs = [run('a', ['--env', 'hopper', '--seed', '1']), run('b', ['--env', 'walker', '--seed', '1']), run('c', ['--env', 'hopper', '--seed', '2', '--norm'])];
    expect(summary(groupRuns(runs, { taskBy: 'env' }))).toEqual([
      ['norm=-', ['a', 'b']],
      ['norm=true', ['c']],
    ]);
  });

  it("a sweep's seed is found under whatever argument name carried it", () => {
    const runs = [1, 2].flatMap((seed) => [
      run(`a${seed}`, ['--lr', '1', '--rng', String(seed)], { id: 's', cell: { lr: '1', seed } }),
      run(`b${seed}`, ['--lr', '2', '--rng', String(seed)], { id: 's', cell: { lr: '2', seed } }),
    ]);
    expect(sweepSeedKeys(runs)).toEqual(['rng']);
    expect(summary(groupRuns(runs))).toEqual([
      ['lr=1', ['a1', 'a2']],
      ['lr=2', ['b1', 'b2']],
    ]);
  });

  it('one group is labelled by its name; labels never hold run ids', () => {
    expect(labelGroups([{ name: 'ppo', lr: 1 }])).toEqual(['name=ppo']);
    expect(labelGroups([{ lr: 1 }])).toEqual(['all runs']);
    expect(labelGroups([{ lr: 1 }, { lr: '1' }])).toEqual(['lr=1', 'lr=1 (2)']);
  });
});

describe('scores of a run', () => {
  const builder = new SeriesBuilder('reward', 'csv', 'p.csv');
  for (const [step, value] of [[0, 0], [100, 10], [200, 30], [300, 60]] as const) builder.add(step, value);
  const series = builder.build();

  it.each([
    ['last', 60],
    ['mean-last:2', 45],
    ['mean-last:10', 25],
    ['at:150', 20],
    ['at:200', 30],
    ['at:0', 0],
    ['at:300', 60],
  ])('--score %s → %s', (spec, expected) => {
    expect(scoreOf(series, parseScoreSpec(spec))).toEqual({ score: expected });
  });

  it('a run that did not reach the step has none, and says so', () => {
    expect(scoreOf(series, parseScoreSpec('at:301'))).toEqual({ missing: 'did not reach step 301 (its last is 300)' });
    expect(scoreOf(undefined, parseScoreSpec('last'))).toEqual({ missing: 'has no such metric' });
  });

  it.each(['first', 'mean-last:0', 'mean-last:x', 'at:', 'at:1e', 'last:3'])('--score %s is refused with the forms it takes', (spec) => {
    expect(() => parseScoreSpec(spec)).toThrow(/expected last, mean-last:N \(N >= 1\) or at:STEP/);
  });
});

describe('--normalize FILE', () => {
  it('reads task,min,max in any column order', () => {
    expect([...parseTaskRanges('max,task,min\n10,hopper,0\n"5",walker,-5\n', 'r.csv')]).toEqual([
      ['hopper', { min: 0, max: 10 }],
      ['walker', { min: -5, max: 5 }],
    ]);
  });
  it.each([
    ['task,lo,hi\na,0,1\n', /r.csv:1: the header needs the columns task,min,max/],
    ['task,min,max\na,0\n', /r.csv:2: 2 fields where the header has 3/],
    ['task,min,max\na,0,x\n', /r.csv:2: min and max must be numbers/],
    ['task,min,max\na,1,1\n', /r.csv:2: task a: min and max are both 1/],
    ['task,min,max\na,0,1\na,0,2\n', /r.csv:3: task a is given twice/],
    ['task,min,max\n', /r.csv:2: no tasks/],
  ])('%j is refused naming the line', (text, message) => {
    expect(() => parseTaskRanges(text, 'r.csv')).toThrow(message);
  });
});
