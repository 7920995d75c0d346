import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { splitConstants } from '../../src/metrics/constants.js';
import { readRunMetrics } from '../../src/metrics/read-run.js';
import type { MetricSeries } from '../../src/metrics/series.js';
import { StdoutExtractor } from '../../src/metrics/stdout-extractor.js';
import { metricsListingJson, renderMetricsListing } from '../../src/report/metrics-listing.js';

// Console shapes of real training scripts, written for these tests (test/fixtures/metrics/written).
const WRITTEN = path.resolve(import.meta.dirname, '../fixtures/metrics/written');

let temp: string;
beforeEach(async () => {
  temp = await mkdtemp(path.join(tmpdir(), 'rl-run-shapes-'));
});
afterEach(async () => {
  await rm(temp, { recursive: true, force: true });
});

/** The series rl-run reads from a run whose stdout (and optionally stderr) is the given fixture. */
async function readFixture(stdout: string, stderr?: string): Promise<Map<string, MetricSeries>> {
  await cp(path.join(WRITTEN, stdout), path.join(temp, 'stdout.log'));
  if (stderr) await cp(path.join(WRITTEN, stderr), path.join(temp, 'stderr.log'));
  const { series } = await readRunMetrics(temp, path.join(temp, 'stdout.log'), { moreLogs: [path.join(temp, 'stderr.log')] });
  return series;
}

function steps(series: MetricSeries | undefined): number[] {
  return (series?.points ?? []).map((p) => p.step);
}

describe('pytorch/examples reinforce.py: Episode N<TAB>Last reward: x<TAB>Average reward: y', () => {
  it('gives Last_reward and Average_reward, stepped by the episode', async () => {
    const series = await readFixture('reinforce_stdout.log');
    expect([...series.keys()]).toEqual(['Last_reward', 'Average_reward']);
    const average = series.get('Average_reward')!;
    expect(steps(average)).toEqual(Array.from({ length: 30 }, (_, i) => (i + 1) * 10));
    expect(average.points[0]).toEqual({ step: 10, value: 18.06 });
    expect(series.get('Last_reward')!.points[0]).toEqual({ step: 10, value: 51 });
    expect(series.get('Last_reward')!.summary.count).toBe(30);
  });
});

describe('tracebacks and prose are not metrics', () => {
  it('a KeyboardInterrupt traceback through torch code adds nothing; print(args) and "done:" are constants', async () => {
    const series = await readFixture('actor_critic_stdout.log', 'actor_critic_interrupt_stderr.log');
    expect(series.has('dim')).toBe(false);
    expect(series.has('dtype')).toBe(false);
    const { metrics, constants } = splitConstants(series.values());
    expect(metrics.map((s) => s.name)).toEqual(['Last_reward', 'Average_reward']);
    expect(Object.fromEntries(constants.map((s) => [s.name, s.summary.last]))).toEqual({ gamma: 0.99, seed: 543, log_interval: 10, lr: 0.03, done: 180 });
  });

  it('`metrics <run>` lists constants in a section of their own; --json under constants', async () => {
    const series = await readFixture('actor_critic_stdout.log', 'actor_critic_interrupt_stderr.log');
    const [table, constants] = renderMetricsListing(series.values(), temp).split('\n\n');
    expect(table!.split('\n').map((line) => line.split(/\s+/)[0])).toEqual(['NAME', 'Last_reward', 'Average_reward']);
    expect(constants!.split('\n').slice(0, 3)).toEqual([
      'Constants (logged once):',
      'NAME          KIND    SOURCE      VALUE',
      'gamma         stdout  stdout.log  0.99',
    ]);
    const json = metricsListingJson('r1', series.values()) as { metrics: { name: string }[]; constants: { name: string; last: number }[] };
    expect(json.metrics.map((m) => m.name)).toEqual(['Last_reward', 'Average_reward']);
    expect(json.constants.map((m) => [m.name, m.last])).toEqual([['gamma', 0.99], ['seed', 543], ['log_interval', 10], ['lr', 0.03], ['done', 180]]);
  });

  it.each<[string, string[]]>([
    ['a traceback in a Ray worker keeps its indentation after the prefix', ['(TaskRunner pid=7) Traceback (most recent call last):', '(TaskRunner pid=7)   File "x.py", line 3, in f', '(TaskRunner pid=7)     y = g(dim=-1)', '(TaskRunner pid=7) RuntimeError: bad', 'step=1 loss=2']],
    ['an exception line ending in a traceback header continues it (JAX)', ['Traceback (most recent call last):', '  File "a.py", line 1', 'XlaRuntimeError: INTERNAL: CpuCallback error: Traceback (most recent call last):', '  y = softmax(x, axis=-1)', 'KeyboardInterrupt:', 'step=1 loss=2']],
    ['a chained traceback', ['Traceback (most recent call last):', '  x(dim=1)', 'ValueError: a', '', 'During handling of the above exception, another exception occurred:', '', 'Traceback (most recent call last):', '  z(k=3)', 'RuntimeError: b', 'step=1 loss=2']],
  ])('%s', (_, lines) => {
    const extractor = new StdoutExtractor('log');
    for (const line of lines) extractor.line(line);
    expect(extractor.finish().map((s) => [s.name, s.points])).toEqual([['loss', [{ step: 1, value: 2 }]]]);
  });
});

describe('an evaluation line that reuses a name without a step', () => {
  it('goes to NAME/no_step, apart from the training series, whose x axis stays the step', async () => {
    const series = await readFixture('eval_stdout.log');
    const reward = series.get('reward')!;
    expect(steps(reward)).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) * 100));
    expect(reward.summary.count).toBe(20);
    expect(series.get('reward/no_step')!.points).toEqual([{ step: 0, value: 151.3 }]);
    expect(steps(series.get('loss'))).toEqual(steps(reward));
    // config lr=0.001 seed=0: constants, not metrics.
    const { metrics, constants } = splitConstants(series.values());
    expect(metrics.map((s) => s.name)).toEqual(['reward', 'loss']);
    expect(constants.map((s) => s.name)).toEqual(['config_lr', 'seed', 'reward/no_step']);
  });

  it.each<[string, string[], Record<string, [number, number][]>]>([
    ['a name only ever without a step counts up as before', ['SPS: 10', 'SPS: 12'], { SPS: [[0, 10], [1, 12]] }],
    ['the step-less line may come first', ['eval: reward=1', 'x=1', 'step=5 reward=2', 'step=6 reward=3'], { x: [[0, 1]], reward: [[5, 2], [6, 3]], 'reward/no_step': [[0, 1]] }],
    ['a repeated line shape with and without a step', ['step=1 loss=3', 'loss=9', 'step=2 loss=4', 'loss=8'], { loss: [[1, 3], [2, 4]], 'loss/no_step': [[0, 9], [1, 8]] }],
  ])('%s', (_, lines, expected) => {
    const extractor = new StdoutExtractor('log');
    for (const line of lines) extractor.line(line);
    const got = Object.fromEntries(extractor.finish().map((s) => [s.name, s.points.map((p) => [p.step, p.value])]));
    expect(got).toEqual(expected);
  });
});
