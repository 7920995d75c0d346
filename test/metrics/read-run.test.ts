import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findMetricFiles } from '../../src/metrics/discover.js';
import { globToRegExp } from '../../src/metrics/glob.js';
import { fileKind, readRunMetrics } from '../../src/metrics/read-run.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/metrics');

describe('globs', () => {
  it.each<[string, string, boolean]>([
    ['**/progress.csv', 'progress.csv', true],
    ['**/progress.csv', 'logs/ppo/progress.csv', true],
    ['**/progress.csv', 'logs/progress.csv.bak', false],
    ['monitor.csv', 'logs/monitor.csv', false],
    ['**/*.monitor.csv', 'logs/0.0.monitor.csv', true],
    ['**/events.out.tfevents.*', 'tb/PPO_1/events.out.tfevents.17.host.1.0', true],
    ['*.jsonl', 'a/b.jsonl', false],
    ['log?.txt', 'log1.txt', true],
  ])('%s ~ %s → %s', (glob, file, expected) => {
    expect(globToRegExp(glob).test(file)).toBe(expected);
  });

  it.each<[string, string | undefined]>([
    ['x/events.out.tfevents.1.host', 'tfevents'],
    ['0.monitor.csv', 'monitor'],
    ['progress.txt', 'csv'],
    ['progress.json', 'jsonl'],
    ['notes.md', undefined],
  ])('kind of %s', (file, kind) => {
    expect(fileKind(file)).toBe(kind);
  });
});

describe('readRunMetrics', () => {
  let temp: string;
  beforeEach(async () => {
    temp = await mkdtemp(path.join(tmpdir(), 'rl-run-metrics-'));
  });
  afterEach(async () => {
    await rm(temp, { recursive: true, force: true });
  });

  it('reads stderr after stdout: a metric only stderr has counts, a shared name is stdout\'s', async () => {
    const run = temp;
    await writeFile(path.join(run, 'stdout.log'), 'step=1 loss=0.5\n');
    await writeFile(path.join(run, 'stderr.log'), 'INFO:root:step=1 loss=9 reward=3\n');
    const { series } = await readRunMetrics(run, path.join(run, 'stdout.log'), { moreLogs: [path.join(run, 'stderr.log')] });
    expect(series.get('loss')).toMatchObject({ source: path.join(run, 'stdout.log'), points: [{ step: 1, value: 0.5 }] });
    expect(series.get('reward')).toMatchObject({ source: path.join(run, 'stderr.log'), points: [{ step: 1, value: 3 }] });
  });

  it('a run dir with stdout, progress.csv, monitor and event files: exact sources win', async () => {
    const run = path.join(temp, 'run');
    await cp(path.join(FIXTURES, 'run_dirs/sb3_slurm_robotaxi/2025-12-06_21-21-02'), run, { recursive: true });
    await cp(path.join(FIXTURES, 'monitor/cartpole_sb3_monitor.csv'), path.join(run, 'monitor.csv'));
    const { series, warnings } = await readRunMetrics(run, path.join(run, 'train.out'));
    expect(warnings).toEqual([]);
    expect(series.get('rollout/ep_rew_mean')!.kind).toBe('tfevents');
    expect(series.get('monitor/ep_rew')!.kind).toBe('monitor');
    // train/* only reaches the console: the event file's are used where both have them.
    expect(series.get('time/iterations')!.kind).toBe('stdout');
  });

  it('an unparseable file gives a warning naming it and its line; the others still count', async () => {
    await writeFile(path.join(temp, 'metrics.jsonl'), '{"step": 1, "loss": NaN}\n{"step": 2, "loss": oops}\n{"step": 3, "loss": -Infinity}\n');
    await writeFile(path.join(temp, 'progress.csv'), 'step,reward\n1,2\n');
    const { series, warnings } = await readRunMetrics(temp, undefined);
    expect(series.get('loss')!.points.map((p) => p.value)).toEqual([Number.NaN, Number.NEGATIVE_INFINITY]);
    expect(series.get('reward')!.summary.last).toBe(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ file: path.join(temp, 'metrics.jsonl'), line: 2 });
  });

  it('a live file: only complete lines count', async () => {
    await writeFile(path.join(temp, 'stdout.log'), 'step=1 reward=5\nstep=2 reward=6\nstep=3 rew');
    const { series } = await readRunMetrics(temp, path.join(temp, 'stdout.log'));
    expect(series.get('reward')!.points).toEqual([
      { step: 1, value: 5 },
      { step: 2, value: 6 },
    ]);
  });

  it('symlinks leading out of the run dir are not followed', async () => {
    const outside = path.join(temp, 'outside');
    const run = path.join(temp, 'run');
    await mkdir(outside);
    await mkdir(run);
    await writeFile(path.join(outside, 'progress.csv'), 'step,secret\n1,42\n');
    await symlink(path.join(outside, 'progress.csv'), path.join(run, 'progress.csv'));
    await symlink(outside, path.join(run, 'linked'));
    await writeFile(path.join(run, 'own.jsonl'), '{"step": 1, "mine": 1}\n');
    await symlink(path.join(run, 'own.jsonl'), path.join(run, 'alias.jsonl'));
    expect(await findMetricFiles(run, ['**/progress.csv', '**/*.jsonl'])).toEqual([path.join(run, 'alias.jsonl'), path.join(run, 'own.jsonl')]);
  });

  it('a bad user pattern is a usage error that names the config key', async () => {
    await expect(readRunMetrics(temp, undefined, { patterns: ['(unclosed'] })).rejects.toThrow(/metrics\.patterns/);
  });

  it('the point budget thins long series but keeps summaries exact', async () => {
    const lines = Array.from({ length: 10_001 }, (_, i) => `step=${i} reward=${i === 5000 ? 1e6 : i}`);
    await writeFile(path.join(temp, 'stdout.log'), `${lines.join('\n')}\n`);
    const { series } = await readRunMetrics(temp, path.join(temp, 'stdout.log'), { maxPoints: 1000 });
    const reward = series.get('reward')!;
    expect(reward.thinned).toBe(true);
    expect(reward.points.length).toBeLessThanOrEqual(1001);
    expect(reward.points.at(-1)).toEqual({ step: 10_000, value: 10_000 });
    expect(reward.summary).toEqual({ last: 10_000, min: 0, max: 1e6, count: 10_001, lastStep: 10_000 });
  });
});
