import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { writeFileAtomic } from '../registry/atomic.js';
import type { SeriesSnapshot } from './series-builder.js';
import type { LogState } from './stdout-cache.js';

const VERSION = 1;
/** A cache larger than this is not read (it is rewritten): the cache of a run is a few MB at most. */
const MAX_CACHE_BYTES = 256 * 1024 * 1024;

/** The states of a run's console logs, by path. */
export type MetricsCache = Map<string, LogState>;

/**
 * The cache in `file`, or an empty one when there is none or it cannot be used (not a regular
 * file, too large, another version, not JSON): it only ever saves time.
 */
export async function loadMetricsCache(file: string): Promise<MetricsCache> {
  try {
    // Opened without following a link or blocking on a FIFO, then checked on the open file itself.
    const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    let text: string;
    try {
      const info = await handle.stat();
      if (!info.isFile() || info.size > MAX_CACHE_BYTES) return new Map();
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
    const stored = JSON.parse(text) as { version?: unknown; logs?: Record<string, StoredLogState> };
    if (stored.version !== VERSION || typeof stored.logs !== 'object' || stored.logs === null) return new Map();
    return new Map(Object.entries(stored.logs).map(([log, state]) => [log, decodeState(state)]));
  } catch {
    return new Map();
  }
}

/** Writes the cache atomically; a run directory rl-run cannot write to just goes without. */
export function saveMetricsCache(file: string, cache: MetricsCache): void {
  const logs = Object.fromEntries([...cache].map(([log, state]) => [log, encodeState(state)]));
  try {
    writeFileAtomic(file, JSON.stringify({ version: VERSION, logs }));
  } catch {
    // a cache is an optimisation
  }
}

interface StoredSnapshot {
  name: string;
  stepless: boolean;
  lastCounted: boolean;
  lastKept: boolean;
  /** stride, seen, nextKept, min, max, lastStep, lastValue, lastWallTime as float64, base64 (NaN and infinities survive). */
  numbers: string;
  steps: string;
  values: string;
  wallTimes: string;
  counted: string;
}

type StoredLogState = Omit<LogState, 'series'> & { series: StoredSnapshot[] };

function encodeState(state: LogState): StoredLogState {
  return { ...state, series: state.series.map(encodeSnapshot) };
}

function decodeState(stored: StoredLogState): LogState {
  return { ...stored, series: stored.series.map(decodeSnapshot) };
}

function encodeSnapshot(s: SeriesSnapshot): StoredSnapshot {
  const numbers = Float64Array.of(s.stride, s.seen, s.nextKept, s.min, s.max, s.lastStep, s.lastValue, s.lastWallTime);
  return {
    name: s.name,
    stepless: s.stepless,
    lastCounted: s.lastCounted,
    lastKept: s.lastKept,
    numbers: base64(numbers),
    steps: base64(s.steps),
    values: base64(s.values),
    // Console lines carry no wall time: all NaN, stored as nothing.
    wallTimes: s.wallTimes.every(Number.isNaN) ? '' : base64(s.wallTimes),
    counted: base64(s.counted),
  };
}

function decodeSnapshot(s: StoredSnapshot): SeriesSnapshot {
  const [stride, seen, nextKept, min, max, lastStep, lastValue, lastWallTime] = float64s(s.numbers);
  return {
    name: s.name,
    stepless: s.stepless,
    lastCounted: s.lastCounted,
    lastKept: s.lastKept,
    stride: stride!,
    seen: seen!,
    nextKept: nextKept!,
    min: min!,
    max: max!,
    lastStep: lastStep!,
    lastValue: lastValue!,
    lastWallTime: lastWallTime!,
    steps: float64s(s.steps),
    values: float64s(s.values),
    wallTimes: s.wallTimes === '' ? new Float64Array(Math.floor(Buffer.byteLength(s.steps, 'base64') / 8)).fill(Number.NaN) : float64s(s.wallTimes),
    counted: new Uint8Array(Buffer.from(s.counted, 'base64')),
  };
}

function base64(array: Float64Array | Uint8Array): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64');
}

function float64s(text: string): Float64Array {
  const bytes = Buffer.from(text, 'base64');
  // Copied: a Buffer's offset in its pool need not be a multiple of 8.
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return new Float64Array(copy.buffer, 0, Math.floor(bytes.length / 8));
}
