import { open } from 'node:fs/promises';
import { forEachCompleteBlock } from './line-reader.js';
import type { SeriesSnapshot } from './series-builder.js';
import { compilePatterns } from './stdout-pairs.js';
import { StdoutExtractor } from './stdout-extractor.js';

const NEWLINE = 0x0a;
const BAR = 0x7c;
const SPLIT_WINDOW = 1024 * 1024;

/** What reading the later part of a log gives back (from a worker, so plain data). */
export interface LaterPart {
  series: SeriesSnapshot[];
  usedInheritedSection: boolean;
  /** Byte offsets of the lines skipped as too long. */
  longLines: number[];
  /** Whether the part ended `clean` (StdoutExtractor.clean). */
  clean: boolean;
}

/** The request a worker gets: the log, where its part starts, and the extractor's settings. */
export interface PartRequest {
  file: string;
  start: number;
  /** Where the part ends (after a `\n`); wherever the file ends when absent. */
  end?: number;
  patterns: string[];
  maxPoints: number | undefined;
}

/**
 * The share of a log read in this thread: a little over half, since the worker starts later (its
 * thread and modules take ~50 ms); at one half the worker ended 75-120 ms after this thread on a
 * 1 GB log, at 53% both ended together (bench/metrics-stdout.mjs).
 */
const EARLIER_SHARE = 0.53;

/**
 * Where to cut a log in two: just after a line with no `|`, so no logger table is open across the
 * cut (the cut must not change what a single pass would read). -1 when the megabyte after
 * the chosen place has no such line.
 */
export async function findSplit(file: string, size: number): Promise<number> {
  const from = Math.floor(size * EARLIER_SHARE);
  const handle = await open(file, 'r');
  try {
    const window = Buffer.allocUnsafe(Math.min(SPLIT_WINDOW, size - from));
    const { bytesRead } = await handle.read(window, 0, window.length, from);
    // The first newline ends a line that may have started before the window: start after it.
    let lineStart = window.indexOf(NEWLINE) + 1;
    if (lineStart === 0) return -1;
    for (;;) {
      const newline = window.indexOf(NEWLINE, lineStart);
      if (newline < 0 || newline >= bytesRead) return -1;
      const bar = window.indexOf(BAR, lineStart);
      if (bar < 0 || bar > newline) return from + newline + 1;
      lineStart = newline + 1;
    }
  } finally {
    await handle.close();
  }
}

/** Reads the later part of a log, from `start` (a line start) to wherever the file ends. */
export async function readLaterPart(request: PartRequest): Promise<LaterPart> {
  const { compiled } = compilePatterns(request.patterns);
  const extractor = new StdoutExtractor(request.file, compiled, request.maxPoints);
  const longLines: number[] = [];
  const options = { start: request.start, ...(request.end !== undefined ? { end: request.end } : {}), redraws: true, onLongLine: (offset: number) => longLines.push(offset) };
  await forEachCompleteBlock(request.file, (buf, end) => extractor.bytes(buf, 0, end), options);
  return { ...extractor.finishPart(), longLines };
}
