import { describe, expect, it } from 'vitest';
import type { MetricSeries } from '../../src/metrics/series.js';
import { StdoutExtractor } from '../../src/metrics/stdout-extractor.js';
import { compilePatterns } from '../../src/metrics/stdout-pairs.js';

function extract(lines: string[], patterns: string[] = []): Record<string, [number, number][]> {
  const extractor = new StdoutExtractor('log', compilePatterns(patterns).compiled);
  for (const line of lines) extractor.line(line);
  return toPairs(extractor.finish());
}

function toPairs(series: MetricSeries[]): Record<string, [number, number][]> {
  return Object.fromEntries(series.map((s) => [s.name, s.points.map((p) => [p.step, p.value] as [number, number])]));
}

describe('stdout lines', () => {
  it.each<[string, string[], Record<string, [number, number][]>]>([
    ['key=value with global_step', ['global_step=2048, episodic_return=-112.5'], { episodic_return: [[2048, -112.5]] }],
    ['spaced names are joined by _', ['global step=2048, episodic return=-112.5'], { episodic_return: [[2048, -112.5]] }],
    ['key: value, no step counts up', ['SPS: 10133', 'SPS: 14052'], { SPS: [[0, 10133], [1, 14052]] }],
    ['CleanRL epoch line', ['Epoch: 3, global_step=204800'], { Epoch: [[204800, 3]] }],
    ['verl step:N - key:value', ['step:2 - actor/entropy:1.34 - critic/score/mean:0.5'], { 'actor/entropy': [[2, 1.34]], 'critic/score/mean': [[2, 0.5]] }],
    ['Ray worker prefix is not a metric', ['(TaskRunner pid=625502) step:1 - loss:0.25'], { loss: [[1, 0.25]] }],
    ['ANSI colour codes are ignored', ['\x1b[36m(TaskRunner pid=1)\x1b[0m step:4 - loss:2e-3'], { loss: [[4, 0.002]] }],
    ['tqdm: the last \\r state counts', ['\rit 1 loss=9 \rit 2 loss=7', 'loss=5'], { loss: [[0, 7], [1, 5]] }],
    ['nan and inf values', ['step=1 loss=nan grad=inf', 'step=2 loss=-Infinity grad=1'], { loss: [[1, Number.NaN], [2, Number.NEGATIVE_INFINITY]], grad: [[1, Number.POSITIVE_INFINITY], [2, 1]] }],
    ['timestamps and source locations are not pairs', ['2025-11-10 11:51:47.990698: I tensorflow/core/util/port.cc:153] oneDNN on'], {}],
    ['urls are not pairs', ['see http://localhost:6006 now'], {}],
    ['values with units are not numbers', ['elapsed=12s lr=3e-4'], { lr: [[0, 3e-4]] }],
    ['a sentence before a pair is not part of its name', ['training with lr=0.001 seed=0'], { lr: [[0, 0.001]], seed: [[0, 0]] }],
    ['total_timesteps is a step, not a metric', ['total_timesteps=100 reward=1'], { reward: [[100, 1]] }],
    ["Python logging's LEVEL:logger: prefix is not part of the name", ['INFO:root:step=100 reward=5', 'WARNING:train.ppo:step=200 reward=6'], { reward: [[100, 5], [200, 6]] }],
    ['a line that only starts like a level is scanned as usual', ['Epoch: 2, step=7', 'DONE: reward=4'], { Epoch: [[7, 2]], reward: [[0, 4]] }],
    ['a tab separates: two-word names after it (reinforce.py)', ['Episode 10\tLast reward: 43.00\tAverage reward: 12.31'], { Last_reward: [[10, 43]], Average_reward: [[10, 12.31]] }],
    ['Episode N opening a line is the step, in any case', ['episode 7  score: 2', 'EPISODE 8 score: 3'], { score: [[7, 2], [8, 3]] }],
    ['episode=N is a step after the STEP_KEYS names', ['episode=3 reward=5', 'episode=4 step=90 reward=6'], { reward: [[3, 5], [90, 6]] }],
    ['Episode without a whole number is not a step', ['Episode 1.5 reward=1', 'Episodes 3 reward=2'], { reward: [[0, 1], [1, 2]] }],
  ])('%s', (_, lines, expected) => {
    expect(extract(lines)).toEqual(expected);
  });
});

describe('logger tables', () => {
  it('SB3 sections prefix their rows and time/total_timesteps is the step', () => {
    const table = [
      '-----------------------------------------',
      '| rollout/                |             |',
      '|    ep_len_mean          | 3.6e+03     |',
      '|    ep_rew_mean          | -4.82e+03   |',
      '| time/                   |             |',
      '|    fps                  | 579         |',
      '|    total_timesteps      | 16768       |',
      '-----------------------------------------',
    ];
    expect(extract([...table, ...table.map((l) => l.replace('16768', '20960'))])).toEqual({
      'rollout/ep_len_mean': [[16768, 3600], [20960, 3600]],
      'rollout/ep_rew_mean': [[16768, -4820], [20960, -4820]],
      'time/fps': [[16768, 579], [20960, 579]],
    });
  });

  it('baselines tables: plain and spaced keys, total_timesteps as step', () => {
    const lines = [
      '---------------------------------',
      '| eprewmean          | 12.3     |',
      '| mean 100 episode reward  | 25.8 |',
      '| total_timesteps    | 8000     |',
      '---------------------------------',
    ];
    expect(extract(lines)).toEqual({ eprewmean: [[8000, 12.3]], mean_100_episode_reward: [[8000, 25.8]] });
  });

  it('a table closed by a non-table line still counts; wide tables are ignored', () => {
    expect(extract(['| loss | 1 |', 'done', '| Trial | status | loc |', '| a | RUNNING | x |'])).toEqual({ loss: [[0, 1]] });
  });
});

describe('config patterns', () => {
  it.each<[string, string[], string[], Record<string, [number, number][]>]>([
    ['name/value groups', ['Eval avg reward 12.5 at 300'], [String.raw`Eval (?<name>avg reward) (?<value>[\d.]+)`], { avg_reward: [[0, 12.5]] }],
    ['a group named after the metric', ['win rate 55%'], [String.raw`win rate (?<win_rate>\d+)%`], { win_rate: [[0, 55]] }],
    ['a step group', ['iter 7 score 3'], [String.raw`iter (?<step>\d+) score (?<score>\d+)`], { score: [[7, 3]] }],
  ])('%s', (_, lines, patterns, expected) => {
    expect(extract(lines, patterns)).toEqual(expected);
  });

  it('reports an invalid pattern', () => {
    expect(compilePatterns(['(']).errors[0]).toMatch(/not a valid regular expression/);
  });
});
