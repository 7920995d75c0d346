import { describe, expect, it } from 'vitest';
import type { MetricSeries } from '../../src/metrics/series.js';
import { argumentValue, computeProgress, totalSteps } from '../../src/resources/progress.js';
import { validateConfig } from '../../src/config/validate.js';

describe('the total steps of a run', () => {
  it.each([
    [['--total-timesteps', '1000000'], null, 1_000_000],
    [['--total_timesteps=5e6'], null, 5_000_000],
    [['--env', 'CartPole-v1', '--total-timesteps', '1_000_000', '--num-steps', '128'], null, 1_000_000],
    [['trainer.max_steps=20000'], null, 20_000],
    [['--max-steps', '300'], null, 300],
    [['--num_steps', '4096'], null, 4096],
    [['--seed', '1'], null, null],
    [['--total-timesteps', 'lots'], null, null],
    [['--budget', '250000'], '{budget}', 250_000],
    [['--total-timesteps', '10'], '1,000,000', 1_000_000],
    [['--seed', '1'], '{budget}', null],
  ] as const)('%j with progress.total %j → %j', (args, configured, expected) => {
    expect(totalSteps(args, configured)).toBe(expected);
  });

  it('takes the last of a repeated argument, as argparse does', () => {
    expect(argumentValue(['--steps', '1', '--steps', '2'], 'steps')).toBe('2');
  });

  it.each([
    [{ total: '{total_timesteps}' }, true],
    [{ total: '2000000' }, true],
    [{ total: 'total_timesteps' }, false],
    [{ total: '{a} * {b}' }, false],
    [{ total: 1000 }, false],
    [{ totl: '{x}' }, false],
  ])('config progress %j valid: %s', (progress, ok) => {
    expect(validateConfig({ progress }).ok).toBe(ok);
  });
});

const series = (name: string, points: [number, number, number?][], source = '/run/stdout.log'): MetricSeries => ({
  name,
  kind: 'stdout',
  source,
  points: points.map(([step, value, wallTime]) => ({ step, value, ...(wallTime !== undefined ? { wallTime } : {}) })),
  summary: { last: points.at(-1)![1], min: 0, max: 0, count: points.length, lastStep: points.at(-1)![0] },
  thinned: false,
});

describe('computeProgress', () => {
  const start = Date.parse('2026-01-01T00:00:00Z');

  it('console lines: steps/s from the run start to the last write of the log, and the ETA', () => {
    const progress = computeProgress({
      series: new Map([['loss', series('loss', [[1000, 0.5], [50_000, 0.1]])], ['episodic_return', series('episodic_return', [[1000, 10], [50_000, 200]])]]),
      startedAtMs: start,
      lastWriteMs: () => start + 100_000,
      total: 1_000_000,
      recent: 1,
    });
    expect(progress.step).toBe(50_000);
    expect(progress.stepsPerSecond).toBeCloseTo(490);
    expect(progress.etaSeconds).toBeCloseTo(950_000 / 490);
    expect(progress.main).toEqual({ name: 'episodic_return', last: 200, recent: [200] });
  });

  it('points with wall times: steps/s between the first and the last logged point (a resumed run does not count its old steps)', () => {
    const progress = computeProgress({
      series: new Map([['reward', series('reward', [[1_000_000, 1, 1000], [1_010_000, 2, 1010]], '/run/progress.csv')]]),
      startedAtMs: 0,
      lastWriteMs: () => undefined,
      total: 2_000_000,
    });
    expect(progress.stepsPerSecond).toBe(1000);
    expect(progress.etaSeconds).toBe(990);
  });

  it('no ETA without a total, or past it', () => {
    const input = { series: new Map([['r', series('r', [[0, 1], [100, 2]])]]), startedAtMs: start, lastWriteMs: () => start + 10_000 };
    expect(computeProgress({ ...input, total: null }).etaSeconds).toBeNull();
    expect(computeProgress({ ...input, total: 50 }).etaSeconds).toBeNull();
    expect(computeProgress({ ...input, total: null }).stepsPerSecond).toBe(10);
  });

  it('nothing logged yet: no step, no rate, no metric', () => {
    expect(computeProgress({ series: new Map(), startedAtMs: start, lastWriteMs: () => undefined, total: 10 })).toEqual({
      step: null,
      stepsPerSecond: null,
      total: 10,
      etaSeconds: null,
      main: null,
    });
  });
});
