import type { Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { forEachCompleteBlock } from './line-reader.js';
import type { MetricSeries, MetricWarning } from './series.js';
import type { SeriesSnapshot } from './series-builder.js';
import { StdoutExtractor } from './stdout-extractor.js';
import type { CompiledPattern } from './stdout-pairs.js';
import { consoleLog, longLineWarning } from './stdout-reader.js';

/** How far back from the end a clean place to cut is looked for: a few tables' worth. */
const CUT_WINDOW = 1024 * 1024;
/** Bytes before the cut kept to recognise the same file: a rewrite changes them, an append does not. */
const CHECK_BYTES = 64;
const NEWLINE = 0x0a;
const BAR = 0x7c;

/**
 * What a console log had given up to `cut`, to read only what follows next time: the file it was
 * (device, inode, size, mtime), the settings it was read with, and the extractor's series there.
 */
export interface LogState {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  /** A line start after which the extractor was `clean` (StdoutExtractor.clean). */
  cut: number;
  /** The bytes just before `cut`, base64. */
  check: string;
  patterns: string[];
  maxPoints: number | undefined;
  series: SeriesSnapshot[];
  /** Offsets of the lines before `cut` skipped as too long, to warn about them again. */
  longLines: number[];
}

/**
 * A console log read as `readStdoutLog` reads it, but from `previous.cut` on when `previous` is
 * the state of the same file (same inode; grown, or the same size and mtime; the same bytes before
 * the cut) read with the same settings; and the state to pass next time. A log that grew by a few
 * lines costs those lines (and the few after the last clean cut), whatever its size.
 */
export async function readStdoutLogFrom(
  file: string,
  patterns: readonly CompiledPattern[],
  maxPoints: number | undefined,
  warnings: MetricWarning[],
  previous: LogState | undefined,
): Promise<{ series: MetricSeries[]; state: LogState | undefined }> {
  const stats = await stat(file);
  const sources = patterns.map((p) => p.source);
  const from = previous && (await continues(file, stats, previous, sources, maxPoints)) ? previous : undefined;
  const start = from?.cut ?? 0;
  const cut = await lastCleanCut(file, start, stats.size);
  const longLines = [...(from?.longLines ?? [])];
  for (const offset of longLines) warnings.push(longLineWarning(file, offset));
  const logWarnings: MetricWarning[] = [];
  const extractor = new StdoutExtractor(file, patterns, maxPoints);
  if (from) extractor.restore(from.series);
  await forEachCompleteBlock(file, (buf, end) => extractor.bytes(buf, 0, end), consoleLog(file, logWarnings, { start, end: cut }));
  for (const w of logWarnings) if (w.byteOffset !== undefined) longLines.push(w.byteOffset);
  warnings.push(...logWarnings);
  // Clean at the cut: an extractor restored from these series reads on exactly as this one does.
  const snapshots = extractor.clean ? extractor.seriesSnapshots() : undefined;
  const state = snapshots && {
    dev: stats.dev,
    ino: stats.ino,
    size: stats.size,
    mtimeMs: stats.mtimeMs,
    cut,
    check: (await bytesBefore(file, cut)).toString('base64'),
    patterns: sources,
    maxPoints,
    series: snapshots,
    longLines,
  };
  await forEachCompleteBlock(file, (buf, end) => extractor.bytes(buf, 0, end), consoleLog(file, warnings, { start: cut }));
  return { series: extractor.finish(), state };
}

async function continues(file: string, stats: Stats, previous: LogState, patterns: string[], maxPoints: number | undefined): Promise<boolean> {
  if (stats.dev !== previous.dev || stats.ino !== previous.ino || stats.size < previous.size) return false;
  if (stats.size === previous.size && stats.mtimeMs !== previous.mtimeMs) return false;
  if (previous.maxPoints !== maxPoints || JSON.stringify(previous.patterns) !== JSON.stringify(patterns)) return false;
  return (await bytesBefore(file, previous.cut)).toString('base64') === previous.check;
}

async function bytesBefore(file: string, offset: number): Promise<Buffer> {
  const length = Math.min(CHECK_BYTES, offset);
  const buffer = Buffer.alloc(length);
  if (length === 0) return buffer;
  const handle = await open(file, 'r');
  try {
    const { bytesRead } = await handle.read(buffer, 0, length, offset - length);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * The last line end at or after `start` that follows a line without `|` (so no logger table is
 * open across it), within the last CUT_WINDOW bytes of the file's complete lines; `start` if none.
 */
async function lastCleanCut(file: string, start: number, size: number): Promise<number> {
  const from = Math.max(start, size - CUT_WINDOW);
  if (size <= from) return start;
  const window = Buffer.alloc(size - from);
  const handle = await open(file, 'r');
  try {
    await handle.read(window, 0, window.length, from);
  } finally {
    await handle.close();
  }
  for (let newline = window.lastIndexOf(NEWLINE); newline >= 0; ) {
    const previous = newline > 0 ? window.lastIndexOf(NEWLINE, newline - 1) : -1;
    // The line must start inside the window (or at `start`) to be known to hold no `|`.
    if (previous < 0 && from !== start) return start;
    const bar = window.indexOf(BAR, previous + 1);
    if (bar < 0 || bar > newline) return from + newline + 1;
    newline = previous;
  }
  return start;
}
