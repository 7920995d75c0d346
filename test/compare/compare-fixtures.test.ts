import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CompareRun, planComparison } from '../../src/compare/plan.js';
import { readRunMetrics } from '../../src/metrics/read-run.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/metrics');

/** Files copied from the fixtures into a run directory: [fixture path, path in the run dir]. */
type Layout = [string, string][];

let temp: string;
beforeAll(async () => {
  temp = await mkdtemp(path.join(tmpdir(), 'rl-run-compare-fixtures-'));
});
afterAll(async () => {
  await rm(temp, { recursive: true, force: true });
});

async function runOf(id: string, layout: Layout): Promise<CompareRun> {
  const dir = path.join(temp, id);
  await mkdir(dir, { recursive: true });
  for (const [from, to] of layout) await cp(path.join(FIXTURES, from), path.join(dir, to), { recursive: true });
  const { series } = await readRunMetrics(dir, path.join(dir, 'stdout.log'), { moreLogs: [path.join(dir, 'stderr.log')] });
  return { id, status: 'succeeded', duration: '1m', dir, params: {}, series };
}

/** What `compare` shows by default on a 120-column terminal. */
async function defaultChoice(runs: Record<string, Layout>): Promise<string[]> {
  const read = await Promise.all(Object.entries(runs).map(([id, layout]) => runOf(id, layout)));
  return planComparison(read, { metrics: [], allParams: false, width: 120 }).metrics;
}

describe('compare on real training logs shows the series a researcher would pick', () => {
  it('SB3 with EvalCallback and monitor.csv: the evaluation mean and the rollout mean, not one raw episode', async () => {
    const metrics = await defaultChoice({
      robotaxi: [
        ['run_dirs/sb3_slurm_robotaxi/2025-12-06_21-21-02/train.out', 'stdout.log'],
        ['run_dirs/sb3_slurm_robotaxi/2025-12-06_21-21-02/tensorboard', 'tensorboard'],
        ['monitor/cartpole_sb3_monitor.csv', 'monitor.csv'],
      ],
      acrobot: [
        ['sb3_progress/acrobot_ppo_eval_progress.csv', 'progress.csv'],
        ['tfevents/sb3_acrobot_logs', 'tb'],
        ['monitor/2048_sb3_monitor_envid_None.csv', 'monitor.csv'],
      ],
    });
    expect(metrics.slice(0, 2)).toEqual(['eval/mean_reward', 'rollout/ep_rew_mean']);
  });

  it('pytorch/examples reinforce.py and actor_critic.py (interrupted): the running average first, no traceback code', async () => {
    const metrics = await defaultChoice({
      reinforce: [['written/reinforce_stdout.log', 'stdout.log']],
      actor_critic: [
        ['written/actor_critic_stdout.log', 'stdout.log'],
        ['written/actor_critic_interrupt_stderr.log', 'stderr.log'],
      ],
    });
    expect(metrics).toEqual(['Average_reward', 'Last_reward']);
  });

  it('OpenAI baselines ppo2 (log.txt tables and progress.csv): eprewmean first', async () => {
    const metrics = await defaultChoice({
      console: [['console_logs/humanoidstandup_ppo2_baselines_log.txt', 'stdout.log']],
      csv: [['baselines_progress/humanoidstandup_ppo2_progress.csv', 'progress.csv']],
    });
    expect(metrics[0]).toBe('eprewmean');
  });

  it('a training series and its one evaluation: the training reward, not the eval line or the config', async () => {
    const metrics = await defaultChoice({
      one: [['written/eval_stdout.log', 'stdout.log']],
      two: [['written/eval_stdout.log', 'stdout.log']],
    });
    expect(metrics).toEqual(['reward', 'loss']);
  });
});
