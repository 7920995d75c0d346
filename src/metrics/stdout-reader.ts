import { forEachCompleteLine } from './line-reader.js';
import type { MetricSeries } from './series.js';
import type { CompiledPattern } from './stdout-pairs.js';
import { StdoutExtractor } from './stdout-extractor.js';

/** Streams a console log (complete lines only) through the stdout extractor. */
export async function readStdoutLog(
  file: string,
  patterns: readonly CompiledPattern[] = [],
  maxPoints?: number,
): Promise<MetricSeries[]> {
  const extractor = new StdoutExtractor(file, patterns, maxPoints);
  await forEachCompleteLine(file, (line) => extractor.line(line));
  return extractor.finish();
}
