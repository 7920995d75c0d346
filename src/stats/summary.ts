import { AGGREGATES, type Aggregates, type TaskScores, aggregates, probabilityOfImprovement } from './aggregates.js';
import { type Interval, bootstrapAggregates, bootstrapImprovement } from './bootstrap.js';
import { DEFAULT_RANDOM_STATE, seededRandom } from './random.js';
import { studentTQuantile } from './student-t.js';

export type CiMethod = 'auto' | 'rliable';

export interface StatsOptions {
  ciMethod: CiMethod;
  confidence: number;
  reps: number;
  poiReps: number;
  randomState: number;
  gamma: number;
}

export const DEFAULT_STATS_OPTIONS: StatsOptions = { ciMethod: 'auto', confidence: 0.95, reps: 50_000, poiReps: 2_000, randomState: DEFAULT_RANDOM_STATE, gamma: 1 };

/** Below this many runs the default method warns: every interval from so few seeds is rough. */
export const FEW_RUNS = 5;

export interface GroupInput {
  label: string;
  runs: string[];
  /** Task name → scores in the order of runs. */
  tasks: Record<string, number[]>;
}

/** A point estimate and its interval; null where none can be computed (a single run). */
export interface Estimate {
  value: number;
  ci: Interval | null;
}

export interface GroupStats extends GroupInput {
  n: number;
  iqm: Estimate;
  mean: Estimate;
  median: Estimate;
  optimalityGap: Estimate;
}

export interface Improvement {
  x: string;
  y: string;
  value: number;
  ci: Interval | null;
}

export interface StatsResult {
  groups: GroupStats[];
  probabilityOfImprovement: Improvement[];
  warnings: string[];
}

/**
 * Every group's aggregates with intervals, and P(X > Y) for each pair (x listed before y). Groups
 * must share their tasks (the caller checks). The same input and options give the same output: one
 * generator seeded with randomState is drawn from in group order, then pair order.
 */
export function groupStatistics(groups: GroupInput[], options: StatsOptions): StatsResult {
  const random = seededRandom(options.randomState);
  const taskNames = Object.keys(groups[0]?.tasks ?? {});
  const matrix = (group: GroupInput): TaskScores => taskNames.map((task) => group.tasks[task]!);
  const warnings: string[] = [];
  const stats = groups.map((group): GroupStats => {
    const scores = matrix(group);
    // Runs per task: a group whose runs are spread over tasks has fewer seeds than run ids.
    const n = scores[0]?.length ?? 0;
    const point = aggregates(scores, options.gamma);
    // One run: 'rliable' gives rliable's degenerate interval [v, v]; 'auto' gives none rather than a false certainty.
    const intervals: Record<keyof Aggregates, Interval | null> = n < 2 && options.ciMethod === 'auto' ? { iqm: null, mean: null, median: null, optimalityGap: null } : bootstrapAggregates(scores, { ...options, random });
    if (options.ciMethod === 'auto') {
      if (n < FEW_RUNS) warnings.push(`group ${group.label} has ${n} ${n === 1 ? 'run' : 'runs'}: intervals from fewer than ${FEW_RUNS} runs are rough (add seeds)`);
      // One task: the mean (and the median, the same number) gets the t interval, which is exact for normal scores.
      if (scores.length === 1) intervals.mean = intervals.median = tInterval(scores[0]!, options.confidence);
    }
    const estimate = (name: keyof Aggregates): Estimate => ({ value: point[name], ci: intervals[name] });
    return { ...group, n, ...(Object.fromEntries(AGGREGATES.map((name) => [name, estimate(name)])) as Record<keyof Aggregates, Estimate>) };
  });
  const improvements: Improvement[] = [];
  for (let i = 0; i < groups.length; i++) {
    for (let j = i + 1; j < groups.length; j++) {
      const x = matrix(groups[i]!);
      const y = matrix(groups[j]!);
      const ci = (x[0]?.length ?? 0) < 2 && (y[0]?.length ?? 0) < 2 && options.ciMethod === 'auto' ? null : bootstrapImprovement(x, y, { reps: options.poiReps, confidence: options.confidence, random });
      improvements.push({ x: groups[i]!.label, y: groups[j]!.label, value: probabilityOfImprovement(x, y), ci });
    }
  }
  return { groups: stats, probabilityOfImprovement: improvements, warnings };
}

/** mean ± t(1−α/2, n−1)·s/√n; null for a single value. */
export function tInterval(values: readonly number[], confidence: number): Interval | null {
  const n = values.length;
  if (n < 2) return null;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (n - 1);
  const half = studentTQuantile((1 + confidence) / 2, n - 1) * Math.sqrt(variance / n);
  return [mean - half, mean + half];
}
