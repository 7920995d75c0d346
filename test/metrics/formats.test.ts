import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCsvFile, readJsonlFile, readMonitorFiles } from '../../src/metrics/file-readers.js';
import type { MetricSeries } from '../../src/metrics/series.js';
import { readStdoutLog } from '../../src/metrics/stdout-reader.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/metrics');
const fixture = (relative: string) => path.join(FIXTURES, relative);

function byName(series: MetricSeries[]): Map<string, MetricSeries> {
  return new Map(series.map((s) => [s.name, s]));
}

describe('CSV progress files, checked against their own rows', () => {
  it.each<[string, string, number, { step: number; value: number }, { step: number; value: number }]>([
    // file, metric, points, first point, last point
    ['sb3_progress/acrobot_ppo_eval_progress.csv', 'rollout/ep_rew_mean', 49, { step: 2048, value: 0.177697 }, { step: 100352, value: 9.028328899999998 }],
    ['sb3_progress/acrobot_ppo_eval_progress.csv', 'eval/mean_reward', 10, { step: 10000, value: 11.17863721687214 }, { step: 100000, value: 30.934881255359283 }],
    ['sb3_progress/rl_racer_ppo_eval_progress.csv', 'rollout/ep_rew_mean', 489, { step: 2048, value: -1183.1066156666668 }, { step: 1001472, value: 1052.09848819 }],
    ['baselines_progress/humanoidstandup_ppo2_progress.csv', 'eprewmean', 518, { step: 2048, value: 44326.255890500004 }, { step: 1060864, value: 64796.45765343 }],
    ['baselines_progress/gail_ppo_cartpole_progress.csv', 'mean_100_episode_reward', 100, { step: 0, value: 25.75 }, { step: 99, value: 194.39 }],
    ['baselines_progress/deepcars_deepq_progress.csv', 'mean_100_episode_reward', 72, { step: 1219, value: 10.3 }, { step: 553725, value: 285 }],
    ['spinningup/ppo_s0_progress.txt', 'AverageEpRet', 50, { step: 10000, value: -78.74679 }, { step: 500000, value: -47.079765 }],
  ])('%s: %s', async (file, metric, count, first, last) => {
    const series = byName((await readCsvFile(fixture(file))).series).get(metric)!;
    expect(series.summary.count).toBe(count);
    expect(series.points[0]).toMatchObject(first);
    expect(series.points.at(-1)).toMatchObject(last);
  });

  it('empty cells are missing values, not zeros (SB3 train/* before the first update)', async () => {
    const series = byName((await readCsvFile(fixture('sb3_progress/acrobot_ppo_eval_progress.csv'))).series);
    expect(series.get('train/value_loss')!.points[0]!.step).toBe(4096);
    expect(series.has('time/total_timesteps')).toBe(false);
  });

  it('two runs appended to one file: every row kept, and a warning names the line where the step goes back', async () => {
    const file = fixture('other_csv/boogaq_ppo_progress_two_runs_appended.csv');
    const { series, warnings } = await readCsvFile(file);
    expect(byName(series).get('ep_rew_mean')!.summary.count).toBe(148);
    expect(warnings).toEqual([{ file, line: 6, message: 'step goes back from 20480 to 1280: two runs appended to one file?' }]);
  });

  it('an empty file (non-root MPI rank) gives nothing and no error', async () => {
    expect(await readCsvFile(fixture('baselines_progress/humanoidstandup_ppo2_progress-rank001.csv'))).toEqual({ series: [], warnings: [] });
  });
});

describe('monitor files', () => {
  it('one file: step is the cumulative episode length, wall time t_start + t', async () => {
    const { series } = await readMonitorFiles([fixture('monitor/cartpole_sb3_monitor.csv')]);
    const reward = byName(series).get('monitor/ep_rew')!;
    expect(reward.points[0]).toEqual({ step: 16, value: 16, wallTime: 1783772504.6741848 + 4.909243 });
  });

  it('old baselines header with a space after # is understood', async () => {
    const { series, warnings } = await readMonitorFiles([fixture('monitor/humanoidstandup_ppo2_0.0.monitor.csv')]);
    expect(warnings).toEqual([]);
    expect(byName(series).get('monitor/ep_rew')!.points[0]).toMatchObject({ step: 1000, value: 40484.3471 });
  });

  it('several env ranks merge into one stream ordered by wall time', async () => {
    const files = ['monitor/minigrid_a2c_0.monitor.csv', 'monitor/minigrid_a2c_7.monitor.csv'].map(fixture);
    const { series } = await readMonitorFiles(files);
    const length = byName(series).get('monitor/ep_len')!;
    const steps = length.points.map((p) => p.step);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(length.summary.lastStep).toBe(length.points.reduce((sum, p) => sum + p.value, 0));
  });
});

describe('JSON lines', () => {
  it.each<[string, string, number, { step: number; value: number }]>([
    ['jsonl/dreamerv3_torch_metrics.jsonl', 'train_return', 16, { step: 26, value: 9.704300880432129 }],
    ['run_dirs/dreamerv2_tf2/fetch-reach-v1/dreamer/2/metrics.jsonl', 'train/return', 86, { step: 50, value: -48 }],
    ['jsonl/baselines_ddpg_halfcheetah_progress.json', 'rollout/return', 1, { step: 0, value: -275.19658810885403 }],
  ])('%s: %s', async (file, metric, count, first) => {
    const series = byName((await readJsonlFile(fixture(file))).series).get(metric)!;
    expect(series.summary.count).toBe(count);
    expect(series.points[0]).toMatchObject(first);
  });
});

describe('console logs', () => {
  it('SB3 tables: the last table of the robotaxi run', async () => {
    const series = byName(await readStdoutLog(fixture('run_dirs/sb3_slurm_robotaxi/2025-12-06_21-21-02/train.out')));
    expect(series.get('rollout/ep_rew_mean')!.points.at(-1)).toEqual({ step: 301056, value: 78.5 });
    expect(series.get('eval/mean_reward')!.summary.count).toBe(30);
  });

  it('baselines tables agree with the progress.csv of the same run, to the 3 digits printed', async () => {
    const stdout = byName(await readStdoutLog(fixture('console_logs/humanoidstandup_ppo2_baselines_log.txt')));
    const csv = byName((await readCsvFile(fixture('baselines_progress/humanoidstandup_ppo2_progress.csv'))).series);
    const printed = stdout.get('eprewmean')!.points;
    const exact = csv.get('eprewmean')!.points;
    expect(printed.map((p) => p.step)).toEqual(exact.map((p) => p.step));
    for (const [i, p] of printed.entries()) expect(p.value).toBeCloseTo(Number(exact[i]!.value.toPrecision(3)), 6);
  });

  it('CleanRL-JAX `global step=N, episodic return=R` lines', async () => {
    const series = byName(await readStdoutLog(fixture('run_dirs/wandb_blpo_hopper/files/output.log')));
    expect([...series.keys()]).toContain('episodic_return');
    expect(series.get('episodic_return')!.points[0]!.step).toBeGreaterThan(0);
  });

  it('verl: step:N - key:value lines behind Ray prefixes and tqdm bars', async () => {
    const series = byName(await readStdoutLog(fixture('console_logs/verl_grpo_nohup_train.out')));
    expect(series.get('actor/entropy')!.points[0]).toEqual({ step: 1, value: 0.463403582572937 });
    expect(series.has('pid')).toBe(false);
  });

  it('ManiSkill CleanRL: global_step lines and SPS lines', async () => {
    const series = byName(await readStdoutLog(fixture('console_logs/maniskill_cleanrl_ppo_nohup.log')));
    expect(series.get('Epoch')!.points[1]).toEqual({ step: 102400, value: 2 });
    expect(series.get('SPS')!.points[0]).toEqual({ step: 0, value: 10133 });
  });
});
