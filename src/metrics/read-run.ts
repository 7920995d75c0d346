import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { describeError, errorCode, UsageError } from '../errors.js';
import { DEFAULT_METRIC_FILES, findMetricFiles } from './discover.js';
import { type ReadResult, readCsvFile, readJsonlFile, readMonitorFiles } from './file-readers.js';
import type { MetricSeries, MetricWarning, SeriesKind } from './series.js';
import { compilePatterns } from './stdout-pairs.js';
import { loadMetricsCache, type MetricsCache, saveMetricsCache } from './metrics-cache.js';
import { readStdoutLogFrom } from './stdout-cache.js';
import { readStdoutLog } from './stdout-reader.js';
import { stitchSeries } from './stitch.js';
import { readEventFiles } from './tfevents-reader.js';

/**
 * A point budget for callers that show only summaries (last, min, max, count stay exact): a long
 * run's cached series then take bytes, not megabytes, and the second `compare` of 20 runs with
 * 100 MB logs answers in well under a second (bench: `compare` ... again).
 */
export const SUMMARIES_ONLY = 1;

export interface ReadRunOptions {
  /** Globs relative to the run dir; default DEFAULT_METRIC_FILES. */
  files?: readonly string[];
  /** Regexes with named groups, applied to every stdout line (config `metrics.patterns`). */
  patterns?: readonly string[];
  maxPoints?: number;
  /** Other console logs read like stdout (stderr: Python's logging writes there), after it: stdout wins a shared name. */
  moreLogs?: readonly string[];
  /** Where the console logs' state is kept between reads (metrics-cache.ts), so only appended bytes are parsed. */
  cacheFile?: string;
  /** The run has several attempts (it was resumed): each series is stitched into one curve (stitch.ts). */
  resumed?: boolean;
}

export interface RunMetrics {
  /** One series per metric name; when several sources have a name, the most exact one wins. */
  series: Map<string, MetricSeries>;
  warnings: MetricWarning[];
}

/** Files write full precision; TensorBoard stores float32; consoles print rounded tables. */
const KIND_PRIORITY: readonly SeriesKind[] = ['csv', 'spinningup', 'jsonl', 'monitor', 'tfevents', 'stdout'];
const WARNINGS_PER_FILE = 5;

type FileKind = 'csv' | 'monitor' | 'jsonl' | 'tfevents';

export function fileKind(file: string): FileKind | undefined {
  const name = path.basename(file);
  if (name.startsWith('events.out.tfevents.')) return 'tfevents';
  if (name === 'monitor.csv' || name.endsWith('.monitor.csv')) return 'monitor';
  if (name.endsWith('.csv') || name.endsWith('.tsv') || name === 'progress.txt') return 'csv';
  if (name.endsWith('.jsonl') || name.endsWith('.json')) return 'jsonl';
  return undefined;
}

export async function readRunMetrics(runDir: string, stdoutPath: string | undefined, options: ReadRunOptions = {}): Promise<RunMetrics> {
  const { compiled, errors } = compilePatterns(options.patterns ?? []);
  if (errors.length > 0) throw new UsageError(`${errors[0]}; fix metrics.patterns in your rl-run config`);
  const files = await findMetricFiles(runDir, options.files ?? DEFAULT_METRIC_FILES);
  const byKind = { csv: [] as string[], monitor: [] as string[], jsonl: [] as string[], tfevents: [] as string[] };
  for (const file of files) {
    const kind = fileKind(file);
    if (kind) byKind[kind].push(file);
  }
  const results: ReadResult[] = [];
  const warnings: MetricWarning[] = [];
  const attempt = async (file: string, read: () => Promise<ReadResult>) => {
    try {
      results.push(await read());
    } catch (error) {
      warnings.push({ file, message: `cannot be read: ${describeError(error)}` });
    }
  };
  const { maxPoints } = options;
  for (const file of byKind.csv) await attempt(file, () => readCsvFile(file, maxPoints));
  for (const file of byKind.jsonl) await attempt(file, () => readJsonlFile(file, maxPoints));
  if (byKind.monitor.length > 0) await attempt(byKind.monitor[0]!, () => readMonitorFiles(byKind.monitor, maxPoints));
  for (const folder of groupByFolder(byKind.tfevents)) await attempt(folder[0]!, () => readEventFiles(folder, maxPoints));
  const cache = options.cacheFile === undefined ? undefined : await loadMetricsCache(options.cacheFile);
  // A log's state under each point budget: summaries for `compare`, points for a chart.
  const cacheKey = (log: string) => (maxPoints === undefined ? log : `${log}\0${maxPoints}`);
  const nextCache: MetricsCache = new Map([...(cache ?? [])].filter(([key]) => key.includes('\0') === (maxPoints === undefined)));
  for (const log of [stdoutPath, ...(options.moreLogs ?? [])]) {
    const kind = log ? await logKind(log) : 'absent';
    if (kind === 'absent') continue;
    if (kind !== 'file') {
      warnings.push({ file: log!, message: `not read: it is ${kind}, and rl-run reads only regular files in a run directory` });
      continue;
    }
    const file = log!;
    await attempt(file, async () => {
      const logWarnings: MetricWarning[] = [];
      if (!cache) return { series: await readStdoutLog(file, compiled, maxPoints, logWarnings), warnings: logWarnings };
      const { series, state } = await readStdoutLogFrom(file, compiled, maxPoints, logWarnings, cache.get(cacheKey(file)));
      if (state) nextCache.set(cacheKey(file), state);
      return { series, warnings: logWarnings };
    });
  }
  if (options.cacheFile !== undefined && cache && changed(cache, nextCache)) saveMetricsCache(options.cacheFile, nextCache);
  for (const result of results) warnings.push(...result.warnings);
  const series = pickSources(results.flatMap((r) => r.series));
  if (options.resumed) for (const [name, one] of series) series.set(name, stitchSeries(one));
  return { series, warnings: capPerFile(warnings) };
}

/**
 * Rewriting the cache (the series' points, a few MB, and an fsync) costs more than parsing a few MB
 * of log: a log that grew by less since the cache was written is parsed from the old cut, and the
 * cache is kept as it is, so `compare` on live runs mostly only reads it.
 */
const REWRITE_AFTER_BYTES = 4 * 1024 * 1024;

/** Whether the cache is worth writing again: a log new to it, gone from it, read afresh, or grown by REWRITE_AFTER_BYTES. */
function changed(before: MetricsCache, after: MetricsCache): boolean {
  if (before.size !== after.size) return true;
  for (const [log, state] of after) {
    const old = before.get(log);
    if (!old || old.ino !== state.ino || state.cut < old.cut || state.cut - old.cut >= REWRITE_AFTER_BYTES) return true;
  }
  return false;
}

function pickSources(all: MetricSeries[]): Map<string, MetricSeries> {
  const ranked = all
    .map((series, order) => ({ series, order, rank: KIND_PRIORITY.indexOf(series.kind) }))
    .sort((a, b) => a.rank - b.rank || a.order - b.order);
  const chosen = new Map<string, MetricSeries>();
  for (const { series } of ranked) if (!chosen.has(series.name)) chosen.set(series.name, series);
  // Present them in the order the sources were read, not by priority.
  return new Map([...chosen.entries()].sort((a, b) => all.indexOf(a[1]) - all.indexOf(b[1])));
}

function groupByFolder(files: readonly string[]): string[][] {
  const folders = new Map<string, string[]>();
  for (const file of files) {
    const dir = path.dirname(file);
    folders.set(dir, [...(folders.get(dir) ?? []), file]);
  }
  return [...folders.values()];
}

function capPerFile(warnings: MetricWarning[]): MetricWarning[] {
  const perFile = new Map<string, number>();
  const kept: MetricWarning[] = [];
  for (const warning of warnings) {
    const n = (perFile.get(warning.file) ?? 0) + 1;
    perFile.set(warning.file, n);
    if (n <= WARNINGS_PER_FILE) kept.push(warning);
  }
  for (const [file, n] of perFile) {
    if (n > WARNINGS_PER_FILE) kept.push({ file, message: `${n - WARNINGS_PER_FILE} more warnings not shown` });
  }
  return kept;
}

/** A console log is read only as a regular file: a symlink to /dev/zero or to another user's file is not the run's output. */
async function logKind(file: string): Promise<'file' | 'absent' | 'a symlink' | 'not a regular file'> {
  try {
    const stat = await lstat(file);
    return stat.isFile() ? 'file' : stat.isSymbolicLink() ? 'a symlink' : 'not a regular file';
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return 'absent';
    throw error;
  }
}
