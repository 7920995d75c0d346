import { metricOrder } from '../compare/metric-choice.js';
import { PROGRESS_TOTAL } from '../config/schema.js';
import type { MetricSeries } from '../metrics/series.js';
import { stepKeyRank } from '../metrics/series.js';

/**
 * How far a run has got, from its metrics: the latest step, steps per second, and an ETA where
 * the total is known. Pure: the caller reads the metrics and the files' times.
 */
export interface Progress {
  step: number | null;
  stepsPerSecond: number | null;
  total: number | null;
  etaSeconds: number | null;
  /** The metric a run is judged by (rewards first, as `compare` chooses), its last value and recent values. */
  main: { name: string; last: number; recent: number[] } | null;
}

/**
 * Arguments that give a run's total steps, most specific first: SB3/CleanRL's total timesteps,
 * then the step limits of trainers (`--max-steps`, `--num-steps`). Dashes and underscores alike;
 * `--name N`, `--name=N` and hydra's `name=N` (also `a.b.name=N`).
 */
export const TOTAL_ARGUMENTS = ['total_timesteps', 'total_steps', 'n_timesteps', 'timesteps', 'max_steps', 'num_steps', 'train_steps', 'steps'];

/** Pure: the value of argument `name` (dashes or underscores, any of the three spellings), or undefined. */
export function argumentValue(args: readonly string[], name: string): string | undefined {
  const key = (text: string) => text.replace(/-/g, '_').toLowerCase();
  const wanted = key(name);
  for (let i = args.length - 1; i >= 0; i--) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const head = eq >= 0 ? arg.slice(0, eq) : arg;
    const bare = head.replace(/^-{1,2}/, '');
    const dashed = head !== bare;
    const matches = key(bare) === wanted || (!dashed && eq >= 0 && key(bare).endsWith(`.${wanted}`));
    if (!matches) continue;
    if (eq >= 0) return arg.slice(eq + 1);
    if (dashed && i + 1 < args.length) return args[i + 1];
  }
  return undefined;
}

/** Pure: a step count as people write it: 1000000, 1e6, 1_000_000, 1,000,000. */
export function parseCount(text: string | undefined): number | null {
  if (text === undefined) return null;
  const value = Number(text.trim().replace(/[_,]/g, ''));
  return Number.isFinite(value) && value > 0 ? value : null;
}

/**
 * Pure: a run's total steps: from config `progress.total` when it is set (a number or
 * `{argument}`), else from the first of TOTAL_ARGUMENTS the run was given.
 */
export function totalSteps(args: readonly string[], configured: string | null | undefined): number | null {
  if (configured) {
    const placeholder = PROGRESS_TOTAL.exec(configured)?.[1];
    return parseCount(placeholder ? argumentValue(args, placeholder) : configured);
  }
  for (const name of TOTAL_ARGUMENTS) {
    const total = parseCount(argumentValue(args, name));
    if (total !== null) return total;
  }
  return null;
}

export interface ProgressInput {
  series: ReadonlyMap<string, MetricSeries>;
  /** When the run started (ms since the epoch). */
  startedAtMs: number;
  /** When each metric source was last written (ms), for sources whose points carry no time (console lines). */
  lastWriteMs: (source: string) => number | undefined;
  total: number | null;
  /** How many recent values of the main metric to keep. */
  recent?: number;
}

/**
 * Pure. Steps per second over the run so far: from its first logged step to its last, the first
 * at the run's start when the points carry no time (a console line has none), the last when its
 * file was last written.
 */
export function computeProgress(input: ProgressInput): Progress {
  let stepSeries: MetricSeries | undefined;
  for (const series of input.series.values()) {
    const last = series.summary.lastStep;
    if (Number.isFinite(last) && series.summary.count > 0 && (!stepSeries || last > stepSeries.summary.lastStep)) stepSeries = series;
  }
  const step = stepSeries ? stepSeries.summary.lastStep : null;
  let stepsPerSecond: number | null = null;
  if (stepSeries && step !== null) {
    const first = stepSeries.points[0];
    const last = stepSeries.points[stepSeries.points.length - 1];
    const firstMs = first?.wallTime !== undefined && first !== last ? first.wallTime * 1000 : input.startedAtMs;
    const lastMs = last?.wallTime !== undefined && last.step === step ? last.wallTime * 1000 : input.lastWriteMs(stepSeries.source);
    const fromStep = first?.wallTime !== undefined && first !== last ? first.step : Math.min(first?.step ?? 0, step);
    const seconds = lastMs === undefined ? 0 : (lastMs - firstMs) / 1000;
    if (seconds > 0 && step > fromStep) stepsPerSecond = (step - fromStep) / seconds;
  }
  const total = input.total;
  const etaSeconds = total !== null && step !== null && stepsPerSecond !== null && step < total ? (total - step) / stepsPerSecond : null;
  return { step, stepsPerSecond, total, etaSeconds, main: mainMetric(input.series, input.recent ?? 0) };
}

function mainMetric(series: ReadonlyMap<string, MetricSeries>, recent: number): Progress['main'] {
  const names = [...series.keys()].filter((name) => stepKeyRank(name) === undefined && (series.get(name)?.summary.count ?? 0) > 0).sort(metricOrder);
  const chosen = names[0] === undefined ? undefined : series.get(names[0]);
  if (!chosen) return null;
  return { name: chosen.name, last: chosen.summary.last, recent: recent > 0 ? chosen.points.slice(-recent).map((p) => p.value) : [] };
}
