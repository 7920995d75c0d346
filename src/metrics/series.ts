/** What a run's metric files turn into: one series of points per metric name. */
export type SeriesKind = 'stdout' | 'csv' | 'monitor' | 'spinningup' | 'jsonl' | 'tfevents';

export interface MetricPoint {
  step: number;
  value: number;
  /** Seconds since the epoch, when the source records it. */
  wallTime?: number;
}

export interface SeriesSummary {
  last: number;
  /** NaN and infinities are kept as points but ignored by min and max. */
  min: number;
  max: number;
  count: number;
  lastStep: number;
}

export interface MetricSeries {
  name: string;
  kind: SeriesKind;
  /** Absolute path of the file the values came from. */
  source: string;
  /** Every point, or an evenly thinned subset once the series outgrew its point budget (see `thinned`). */
  points: MetricPoint[];
  /** Exact over every value read, whether or not `points` was thinned. */
  summary: SeriesSummary;
  thinned: boolean;
}

export interface MetricWarning {
  file: string;
  /** 1-based line for text formats, byte offset for event files. */
  line?: number;
  byteOffset?: number;
  message: string;
}

export function formatWarning(w: MetricWarning): string {
  const where = w.line !== undefined ? `:${w.line}` : w.byteOffset !== undefined ? ` (byte ${w.byteOffset})` : '';
  return `${w.file}${where}: ${w.message}`;
}

/**
 * One name for one metric whatever the source wrote: surrounding whitespace dropped and inner runs
 * of whitespace turned into `_`, so `episodic return` (CleanRL-JAX) and `episodic_return` (CleanRL)
 * are the same metric, and a name typed on the command line needs no quoting. `/` is kept.
 */
export function normaliseMetricName(raw: string): string {
  const trimmed = raw.trim();
  return /\s/.test(trimmed) ? trimmed.replace(/\s+/g, '_') : trimmed;
}

/** Names that give the x axis rather than a metric, most specific first. */
export const STEP_KEYS: readonly string[] = [
  'time/total_timesteps',
  'misc/total_timesteps',
  'total/steps',
  'TotalEnvInteracts',
  'total_timesteps',
  'global_step',
  'timesteps',
  'step',
  'steps',
];

const STEP_KEY_RANK = new Map(STEP_KEYS.map((key, rank) => [key, rank]));

/** The rank of a normalised name among STEP_KEYS (lower is preferred), or undefined. */
export function stepKeyRank(name: string): number | undefined {
  return STEP_KEY_RANK.get(name);
}
