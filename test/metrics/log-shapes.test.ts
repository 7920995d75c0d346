import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readRunMetrics } from '../../src/metrics/read-run.js';
import type { MetricSeries } from '../../src/metrics/series.js';

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
