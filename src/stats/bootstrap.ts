import { AGGREGATES, AggregateScratch, type Aggregates, type TaskScores, taskImprovement } from './aggregates.js';
import { percentileInterval } from './percentile.js';
import type { Random } from './random.js';

export type Interval = [number, number];

/**
 * rliable's stratified bootstrap: each repetition draws every task's runs with replacement from
 * that task's own runs, computes the four aggregates on the resample (one resample for all four, as
 * rliable's get_interval_estimates does), and the interval is the percentile interval of the
 * repetitions, linearly interpolated as numpy does.
 */
export function bootstrapAggregates(scores: TaskScores, options: { gamma: number; reps: number; confidence: number; random: Random }): Record<keyof Aggregates, Interval> {
  const { gamma, reps, confidence, random } = options;
  const tasks = scores.length;
  const runs = scores[0]?.length ?? 0;
  const scratch = new AggregateScratch(tasks, runs, gamma);
  const samples = Object.fromEntries(AGGREGATES.map((name) => [name, new Float64Array(reps)])) as Record<keyof Aggregates, Float64Array>;
  const flat = new Float64Array(tasks * runs);
  for (let t = 0; t < tasks; t++) for (let r = 0; r < runs; r++) flat[t * runs + r] = scores[t]![r]!;
  const draw = (t: number) => flat[t * runs + Math.floor(random() * runs)]!;
  for (let rep = 0; rep < reps; rep++) {
    const value = scratch.compute(draw);
    samples.iqm[rep] = value.iqm;
    samples.mean[rep] = value.mean;
    samples.median[rep] = value.median;
    samples.optimalityGap[rep] = value.optimalityGap;
  }
  return Object.fromEntries(AGGREGATES.map((name) => [name, percentileInterval(samples[name], confidence)])) as Record<keyof Aggregates, Interval>;
}

/** The interval of P(X > Y): X's and Y's runs resampled independently within each task (rliable's StratifiedIndependentBootstrap). */
export function bootstrapImprovement(x: TaskScores, y: TaskScores, options: { reps: number; confidence: number; random: Random }): Interval {
  const { reps, confidence, random } = options;
  const tasks = x.length;
  const xs = new Float64Array(Math.max(0, ...x.map((row) => row.length)));
  const ys = new Float64Array(Math.max(0, ...y.map((row) => row.length)));
  const samples = new Float64Array(reps);
  for (let rep = 0; rep < reps; rep++) {
    let total = 0;
    for (let t = 0; t < tasks; t++) {
      const xt = x[t]!;
      const yt = y[t]!;
      for (let i = 0; i < xt.length; i++) xs[i] = xt[Math.floor(random() * xt.length)]!;
      for (let j = 0; j < yt.length; j++) ys[j] = yt[Math.floor(random() * yt.length)]!;
      total += taskImprovement(xs, ys, xt.length, yt.length);
    }
    samples[rep] = total / tasks;
  }
  return percentileInterval(samples, confidence);
}
