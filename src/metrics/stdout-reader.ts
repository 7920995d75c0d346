import { forEachCompleteBlock } from './line-reader.js';
import type { MetricSeries } from './series.js';
import type { CompiledPattern } from './stdout-pairs.js';
import { StdoutExtractor } from './stdout-extractor.js';

/** Streams a console log (complete lines only: a live run's last partial line waits) through the extractor. */
export async function readStdoutLog(
  file: string,
  patterns: readonly CompiledPattern[] = [],
  maxPoints?: number,
): Promise<MetricSeries[]> {
  const extractor = new StdoutExtractor(file, patterns, maxPoints);
  await forEachCompleteBlock(file, (buf, end) => extractor.bytes(buf, 0, end));
  return extractor.finish();
}
