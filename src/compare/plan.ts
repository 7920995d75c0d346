import { UsageError } from '../errors.js';
import type { MetricSeries, SeriesSummary } from '../metrics/series.js';
import { isConstant } from '../metrics/constants.js';
import { normaliseMetricName } from '../metrics/series.js';
import { betterDirection, defaultMetrics, metricOrder } from './metric-choice.js';
import { differingParams, type Params } from './params.js';

/** What compare knows about one run, gathered by the command; everything below is pure. */
export interface CompareRun {
  id: string;
  status: string;
  duration: string;
  dir: string;
  params: Params;
  series: ReadonlyMap<string, MetricSeries>;
  /** The sweep cell the run ran, if any: its seed is a seed for grouping. */
  sweep?: { id: string; cell: Record<string, string | number> } | undefined;
}

export interface CompareOptions {
  /** Metric names asked for with --metrics; empty: the default choice. */
  metrics: readonly string[];
  allParams: boolean;
  sort?: string;
  /** Terminal width the default metric choice must fit in. */
  width: number;
  /** Without --metrics: every metric any run has (for --csv), not those shared that fit `width`. */
  everyMetric?: boolean;
}

export interface MetricCell {
  last: number;
  /** max or min over the series, whichever betterDirection says. */
  best: number;
  summary: SeriesSummary;
}

export interface CompareRow {
  run: CompareRun;
  cells: Record<string, MetricCell | undefined>;
}

export interface ComparePlan {
  paramColumns: string[];
  differingParams: string[];
  /** Names that are a constant in every run that has them (see isConstant), in first-seen order. */
  constants: string[];
  /** The constants shown beside the parameters: those every run has and that differ (all such with --all-params), unless a column already. */
  constantColumns: string[];
  metrics: string[];
  rows: CompareRow[];
}

const VALUE_WIDTH = 10;

/** One row per run, the parameters and metrics to show, in the order to show them. */
export function planComparison(runs: readonly CompareRun[], options: CompareOptions): ComparePlan {
  const differing = differingParams(runs.map((run) => run.params));
  const paramColumns = options.allParams ? allParamKeys(runs) : differing;
  const constants = constantNames(runs);
  const asked = new Set([...options.metrics, ...(options.sort === undefined ? [] : [options.sort])].map(normaliseMetricName));
  // Only constants every run has: a config line one script prints would otherwise add a column per key.
  const constantColumns = constants.filter(
    (name) =>
      !asked.has(name) &&
      !paramColumns.includes(name) &&
      runs.every((run) => run.series.has(name)) &&
      (options.allParams || differs(runs.map((run) => run.series.get(name)?.summary.last))),
  );
  const metrics = chooseMetrics(runs, options, [...paramColumns, ...constantColumns], new Set(constants));
  const rows = runs.map((run) => ({ run, cells: Object.fromEntries(metrics.map((name) => [name, cellOf(run.series.get(name))])) }));
  if (options.sort !== undefined) {
    const key = normaliseMetricName(options.sort);
    const direction = betterDirection(key);
    rows.sort((a, b) => compareBest(a.cells[key]?.best, b.cells[key]?.best, direction));
  }
  return { paramColumns, differingParams: differing, constants, constantColumns, metrics, rows };
}

/** The value of a constant in one run, if it has it. */
export function constantValue(run: CompareRun, name: string): number | undefined {
  return run.series.get(name)?.summary.last;
}

function constantNames(runs: readonly CompareRun[]): string[] {
  const names: string[] = [];
  for (const run of runs) for (const [name, series] of run.series) if (isConstant(series) && !names.includes(name)) names.push(name);
  return names.filter((name) => runs.every((run) => { const s = run.series.get(name); return s === undefined || isConstant(s); }));
}

function differs(values: readonly (number | undefined)[]): boolean {
  return new Set(values.map(String)).size > 1;
}

function chooseMetrics(runs: readonly CompareRun[], options: CompareOptions, paramColumns: string[], constants: ReadonlySet<string>): string[] {
  const known = new Set(runs.flatMap((run) => [...run.series.keys()]));
  const asked = options.metrics.map(normaliseMetricName);
  const sort = options.sort === undefined ? undefined : normaliseMetricName(options.sort);
  for (const name of [...asked, ...(sort ? [sort] : [])]) {
    if (!known.has(name)) throw new UsageError(`no run has a metric '${name}'${suggest(name, known)}; 'rl-run metrics <run>' lists them`);
  }
  if (asked.length > 0) return sort && !asked.includes(sort) ? [...asked, sort] : asked;
  if (options.everyMetric) return [...known].filter((name) => !constants.has(name) || name === sort).sort(metricOrder);
  const idWidth = Math.max(...runs.map((run) => run.id.length), 2);
  const fixed = idWidth + 2 + 11 + 10 + paramColumns.reduce((sum, key) => sum + Math.max(key.length, 8) + 2, 0);
  const chosen = defaultMetrics(
    runs.map((run) => [...run.series.keys()].filter((name) => !constants.has(name))),
    options.width - fixed,
    (name) => Math.max(name.length, VALUE_WIDTH) + 2 + VALUE_WIDTH + 2,
  );
  return sort && !chosen.includes(sort) ? [sort, ...chosen] : chosen;
}

function suggest(name: string, known: Set<string>): string {
  const lower = name.toLowerCase();
  const close = [...known].filter((k) => k.toLowerCase().includes(lower) || lower.includes(k.toLowerCase())).slice(0, 4);
  return close.length > 0 ? ` (did you mean ${close.join(', ')}?)` : '';
}

function cellOf(series: MetricSeries | undefined): MetricCell | undefined {
  if (!series) return undefined;
  const { summary } = series;
  return { last: summary.last, best: betterDirection(series.name) === 'max' ? summary.max : summary.min, summary };
}

/** Better first; runs without the metric (or with only NaN) last. */
function compareBest(a: number | undefined, b: number | undefined, direction: 'max' | 'min'): number {
  const va = a === undefined || Number.isNaN(a) ? undefined : a;
  const vb = b === undefined || Number.isNaN(b) ? undefined : b;
  if (va === undefined || vb === undefined) return va === vb ? 0 : va === undefined ? 1 : -1;
  return direction === 'max' ? vb - va : va - vb;
}

function allParamKeys(runs: readonly CompareRun[]): string[] {
  const keys: string[] = [];
  for (const run of runs) for (const key of Object.keys(run.params)) if (!keys.includes(key)) keys.push(key);
  return keys;
}

