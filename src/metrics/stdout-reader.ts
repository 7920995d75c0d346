import { type BlockOptions, forEachCompleteBlock, MAX_LINE_BYTES } from './line-reader.js';
import type { MetricSeries, MetricWarning } from './series.js';
import type { CompiledPattern } from './stdout-pairs.js';
import { StdoutExtractor } from './stdout-extractor.js';

/**
 * Streams a console log (complete lines only: a live run's last partial line waits) through the
 * extractor. Lines too long to be metrics are skipped, each with a warning added to `warnings`.
 */
export async function readStdoutLog(
  file: string,
  patterns: readonly CompiledPattern[] = [],
  maxPoints?: number,
  warnings: MetricWarning[] = [],
): Promise<MetricSeries[]> {
  const extractor = new StdoutExtractor(file, patterns, maxPoints);
  await forEachCompleteBlock(file, (buf, end) => extractor.bytes(buf, 0, end), consoleLog(file, warnings));
  return extractor.finish();
}

/** How a console log is read: `\r` redraws may be dropped, over-long lines skipped with a warning. */
export function consoleLog(file: string, warnings: MetricWarning[], options: BlockOptions = {}): BlockOptions {
  return { ...options, redraws: true, onLongLine: (offset) => warnings.push(longLineWarning(file, offset)) };
}

export function longLineWarning(file: string, byteOffset: number): MetricWarning {
  return { file, byteOffset, message: `line longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB skipped` };
}
