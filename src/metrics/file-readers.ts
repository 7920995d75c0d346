import { CsvExtractor } from './csv-extractor.js';
import { JsonlExtractor } from './jsonl-extractor.js';
import { forEachCompleteLine, MAX_LINE_BYTES } from './line-reader.js';
import { type MonitorEpisode, MonitorExtractor, monitorSeries } from './monitor.js';
import type { MetricSeries, MetricWarning } from './series.js';

export interface ReadResult {
  series: MetricSeries[];
  warnings: MetricWarning[];
}

/** SB3/baselines `progress.csv` or Spinning Up `progress.txt`. */
export async function readCsvFile(file: string, maxPoints?: number): Promise<ReadResult> {
  const extractor = new CsvExtractor(file, maxPoints);
  await forEachCompleteLine(file, (line, n) => extractor.line(line, n), longLine(file, extractor.warnings));
  return { series: extractor.finish(), warnings: extractor.warnings };
}

export async function readJsonlFile(file: string, maxPoints?: number): Promise<ReadResult> {
  const extractor = new JsonlExtractor(file, maxPoints);
  await forEachCompleteLine(file, (line, n) => extractor.line(line, n), longLine(file, extractor.warnings));
  return { series: extractor.finish(), warnings: extractor.warnings };
}

/** The warning for a line too long to read (line-reader.ts), by line number. */
export function longLine(file: string, warnings: MetricWarning[]): (line: number) => void {
  return (line) => warnings.push({ file, line, message: `line longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB skipped` });
}

/** All monitor files of one run, merged into one episode stream (see monitorSeries). */
export async function readMonitorFiles(files: readonly string[], maxPoints?: number): Promise<ReadResult> {
  const episodes: MonitorEpisode[] = [];
  const warnings: MetricWarning[] = [];
  for (const file of files) {
    const extractor = new MonitorExtractor(file);
    await forEachCompleteLine(file, (line, n) => extractor.line(line, n), longLine(file, extractor.warnings));
    episodes.push(...extractor.episodes);
    warnings.push(...extractor.warnings);
  }
  const source = files.length === 1 ? files[0]! : files.join(', ');
  return { series: files.length > 0 ? monitorSeries(source, episodes, maxPoints) : [], warnings };
}
