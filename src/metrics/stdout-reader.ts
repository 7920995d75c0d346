import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type BlockOptions, forEachCompleteBlock, MAX_LINE_BYTES } from './line-reader.js';
import type { MetricSeries, MetricWarning } from './series.js';
import type { CompiledPattern } from './stdout-pairs.js';
import { findSplit, type LaterPart, type PartRequest, readLaterPart } from './stdout-parts.js';
import { StdoutExtractor } from './stdout-extractor.js';

/**
 * Logs this large are read as two halves at once, the later one in a worker thread: on a
 * 1 GB log that nearly halves the wall time on 2 cores (issue 3; bench/metrics-stdout.mjs).
 * Below it a worker's start-up (~30 ms) is not worth it.
 */
export const PARALLEL_BYTES = 64 * 1024 * 1024;

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
  const { size } = await stat(file);
  const split = size >= PARALLEL_BYTES && availableParallelism() > 1 ? await findSplit(file, size) : -1;
  if (split < 0) {
    const extractor = new StdoutExtractor(file, patterns, maxPoints);
    await forEachCompleteBlock(file, (buf, end) => extractor.bytes(buf, 0, end), consoleLog(file, warnings));
    return extractor.finish();
  }
  return readStdoutLogInParts(file, patterns, maxPoints, split, readLaterPartInWorker, warnings);
}

/** How a console log is read: `\r` redraws may be dropped, over-long lines skipped with a warning. */
export function consoleLog(file: string, warnings: MetricWarning[], options: BlockOptions = {}): BlockOptions {
  return { ...options, redraws: true, onLongLine: (offset) => warnings.push(longLineWarning(file, offset)) };
}

export function longLineWarning(file: string, byteOffset: number): MetricWarning {
  return { file, byteOffset, message: `line longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB skipped` };
}

/**
 * The log read as [0, split) here and [split, end of file) by `readLater`, the two at once, then
 * joined; what one pass gives, exactly (StdoutExtractor.absorb). In the cases where a table
 * section set before the cut names rows after it, or the cut falls inside a traceback, the later
 * part is read again here.
 */
export async function readStdoutLogInParts(
  file: string,
  patterns: readonly CompiledPattern[],
  maxPoints: number | undefined,
  split: number,
  readLater: (request: PartRequest) => Promise<LaterPart>,
  warnings: MetricWarning[] = [],
): Promise<MetricSeries[]> {
  const { extractor } = await readRangeInParts(file, patterns, maxPoints, split, undefined, readLater, warnings);
  return extractor.finish();
}

/**
 * [0, split) here and [split, end) by `readLater` (as readStdoutLogInParts): the extractor that
 * holds the series of [0, end), and whether the reading ended `clean` (StdoutExtractor.clean).
 */
export async function readRangeInParts(
  file: string,
  patterns: readonly CompiledPattern[],
  maxPoints: number | undefined,
  split: number,
  end: number | undefined,
  readLater: (request: PartRequest) => Promise<LaterPart>,
  warnings: MetricWarning[],
): Promise<{ extractor: StdoutExtractor; clean: boolean }> {
  const request: PartRequest = { file, start: split, ...(end !== undefined ? { end } : {}), patterns: patterns.map((p) => p.source), maxPoints };
  const later = readLater(request);
  // Whatever happens here, the later part's errors are reported by the await below, or dropped.
  later.catch(() => undefined);
  const extractor = new StdoutExtractor(file, patterns, maxPoints);
  const onBlock = (buf: Buffer, blockEnd: number) => extractor.bytes(buf, 0, blockEnd);
  await forEachCompleteBlock(file, onBlock, consoleLog(file, warnings, { end: split }));
  const part = await later;
  // The later part was read as if no traceback were open: one that is makes it read again here.
  if ((part.usedInheritedSection && extractor.carriesSection) || extractor.midTraceback) {
    await forEachCompleteBlock(file, onBlock, consoleLog(file, warnings, { start: split, ...(end !== undefined ? { end } : {}) }));
    return { extractor, clean: extractor.clean };
  }
  extractor.absorb(part.series);
  for (const offset of part.longLines) warnings.push(longLineWarning(file, offset));
  // A section in force at the cut would still be in force at the end if no table came after.
  return { extractor, clean: part.clean && !extractor.carriesSection };
}

/**
 * The later part in a worker thread. Should the worker fail (no built worker file under a test
 * runner, or an error while reading), the part is read in this thread, which reports a real error.
 */
export function readLaterPartInWorker(request: PartRequest): Promise<LaterPart> {
  return new Promise<LaterPart>((resolve) => {
    let settled = false;
    const inThisThread = () => {
      if (settled) return;
      settled = true;
      resolve(readLaterPart(request));
    };
    try {
      const worker = new Worker(new URL('./stdout-worker.js', import.meta.url), { workerData: request });
      worker.once('message', (part: LaterPart) => {
        settled = true;
        resolve(part);
      });
      worker.once('error', inThisThread);
      worker.once('exit', inThisThread);
    } catch {
      inThisThread();
    }
  });
}
