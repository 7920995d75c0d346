import { writeFileAtomic } from '../atomic.js';
import { readSmallRegularFile } from '../safe-fs.js';
import type { RunLayout } from './paths.js';

/** What the runner last measured of its script's process tree (runner rl-run excluded). */
export interface ResourceReading {
  /** ISO time of the reading. */
  at: string;
  /** Over the interval before `at`: 100 = one core. */
  cpuPercent: number;
  rssBytes: number;
  /** The largest RSS of the whole tree seen at any reading of this run. */
  peakRssBytes: number;
}

const MAX_BYTES = 4096;

export function writeResourceReading(layout: RunLayout, reading: ResourceReading): void {
  writeFileAtomic(layout.resources, `${JSON.stringify({ version: 1, ...reading })}\n`);
}

/** The reading in the run directory, or null: none yet, not a regular file, or not one of ours. */
export function readResourceReading(layout: RunLayout): ResourceReading | null {
  const text = readSmallRegularFile(layout.resources, MAX_BYTES);
  if (text === null) return null;
  try {
    const stored = JSON.parse(text) as Record<string, unknown>;
    const { at, cpuPercent, rssBytes, peakRssBytes } = stored;
    if (stored.version !== 1 || typeof at !== 'string' || !isCount(cpuPercent) || !isCount(rssBytes) || !isCount(peakRssBytes)) return null;
    return { at, cpuPercent, rssBytes, peakRssBytes };
  } catch {
    return null;
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
