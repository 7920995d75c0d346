import { medianInPlace, trimMeanInPlace } from './select.js';

/**
 * A group's scores, task by task: scores[t][r] is run r on task t. Every task has the same runs
 * (rliable's runs × tasks matrix, stored by task so that resampling within a task is a slice).
 */
export type TaskScores = readonly (readonly number[])[];

export interface Aggregates {
  iqm: number;
  mean: number;
  median: number;
  optimalityGap: number;
}

export const AGGREGATES = ['iqm', 'mean', 'median', 'optimalityGap'] as const;

/** The four rliable aggregates of a group. */
export function aggregates(scores: TaskScores, gamma: number): Aggregates {
  return new AggregateScratch(scores.length, scores[0]?.length ?? 0, gamma).compute((t, r) => scores[t]![r]!);
}

/**
 * Buffers reused across the bootstrap's repetitions: fifty thousand allocations of the pooled
 * scores would cost more than the statistics.
 */
export class AggregateScratch {
  private readonly pooled: Float64Array;
  private readonly taskMeans: Float64Array;

  constructor(
    private readonly tasks: number,
    private readonly runs: number,
    private readonly gamma: number,
  ) {
    this.pooled = new Float64Array(tasks * runs);
    this.taskMeans = new Float64Array(tasks);
  }

  /** The aggregates of the table whose run r on task t is score(t, r). */
  compute(score: (task: number, run: number) => number): Aggregates {
    const { tasks, runs, gamma, pooled, taskMeans } = this;
    let position = 0;
    let clipped = 0;
    let meanSum = 0;
    for (let t = 0; t < tasks; t++) {
      let sum = 0;
      for (let r = 0; r < runs; r++) {
        const value = score(t, r);
        pooled[position++] = value;
        sum += value;
        clipped += Math.min(value, gamma);
      }
      taskMeans[t] = sum / runs;
      meanSum += taskMeans[t]!;
    }
    return {
      mean: meanSum / tasks,
      optimalityGap: gamma - clipped / (tasks * runs),
      median: medianInPlace(taskMeans),
      iqm: trimMeanInPlace(pooled, 0.25),
    };
  }
}

/**
 * rliable's probability of improvement P(X > Y): per task the Mann-Whitney U over nx·ny (ties count
 * half), averaged over tasks. X and Y may have different numbers of runs.
 */
export function probabilityOfImprovement(x: TaskScores, y: TaskScores): number {
  let total = 0;
  for (let t = 0; t < x.length; t++) total += taskImprovement(x[t]!, y[t]!, x[t]!.length, y[t]!.length);
  return total / x.length;
}

/** U/(nx·ny) for one task; x and y are read up to nx and ny (the bootstrap passes its buffers). */
export function taskImprovement(x: ArrayLike<number>, y: ArrayLike<number>, nx: number, ny: number): number {
  let wins = 0;
  for (let i = 0; i < nx; i++) {
    const xi = x[i]!;
    for (let j = 0; j < ny; j++) {
      const yj = y[j]!;
      if (xi > yj) wins += 2;
      else if (xi === yj) wins += 1;
    }
  }
  return wins / (2 * nx * ny);
}
