import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StdoutExtractor } from '../../src/metrics/stdout-extractor.js';
import { FileRows, rowKind } from '../../src/watchdog/file-rows.js';
import { NanDetector } from '../../src/watchdog/nan.js';
import { AUTO_FLOOR_MS, StallDetector } from '../../src/watchdog/stall.js';
import { ROOT } from '../helpers/sandbox.js';

const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'metrics');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : [full];
  });
}

/** The NaN events the runner's watchdog raises for a console log, fed line by line as the runner does. */
function nanEvents(text: string): string[] {
  const extractor = new StdoutExtractor('test');
  const nan = new NanDetector();
  const events: string[] = [];
  extractor.onRecord = (names, values, step) => {
    names.forEach((name, i) => {
      const detail = nan.point(name, values[i]!, step);
      if (detail) events.push(detail);
    });
  };
  for (const line of text.split('\n')) extractor.line(line);
  extractor.finish();
  return events;
}

describe('NaN detection through the stdout extractor', () => {
  it.each([
    ['step=100 loss=0.5\nstep=200 loss=nan', ['loss=nan at step 200']],
    ['global_step=2048, episodic_return=-inf', ['episodic_return=-inf at step 2048']],
    ['loss: NaN', ['loss=nan']],
    ['| train/loss | inf |', ['train/loss=inf']],
    ['INFO:root:loss=nan', ['loss=nan']],
    ['step=1 loss=nan\nstep=2 loss=nan', ['loss=nan at step 1']],
    ['step=100 loss=0.5 banana=3', []],
    ['the nan of it: finance', []],
  ])('%j → %j', (text, expected) => {
    expect(nanEvents(text)).toEqual(expected);
  });

  const consoleLogs = files(FIXTURES).filter((file) => /\.(log|out|txt)$/.test(file) && !file.endsWith('progress.txt'));
  it('finds console logs to replay (the check is not vacuous)', () => {
    expect(consoleLogs.length).toBeGreaterThanOrEqual(10);
  });
  it.each(consoleLogs.map((file) => [path.relative(FIXTURES, file), file]))('no NaN alarm on the healthy log %s', (_name, file) => {
    expect(nanEvents(readFileSync(file, 'utf8'))).toEqual([]);
  });
});

describe('NaN detection in metric files', () => {
  it.each([
    ['progress.csv', 'time/total_timesteps,train/loss\n2048,0.5\n4096,nan', ['train/loss=nan']],
    ['progress.csv', 'a,b\n1,\n,2\n', []],
    ['progress.txt', 'Epoch\tLossPi\n0\t-inf', ['LossPi=-inf']],
    ['metrics.jsonl', '{"step": 1, "loss": 0.5}\n{"step": 2, "loss": NaN}', ['loss=nan']],
    ['progress.json', '{"q": Infinity}', ['q=inf']],
    ['metrics.jsonl', '{"note": "NaN: not a number"}', []],
  ])('%s %j → %j', (name, text, expected) => {
    const rows = new FileRows(rowKind(name)!, null);
    expect(text.split('\n').map((line) => rows.line(line)).filter(Boolean)).toEqual(expected);
  });

  const metricFiles = files(FIXTURES).filter((file) => rowKind(file) !== null);
  it('finds metric files to replay (the check is not vacuous)', () => {
    expect(metricFiles.length).toBeGreaterThanOrEqual(12);
  });
  it.each(metricFiles.map((file) => [path.relative(FIXTURES, file), file]))('no NaN alarm on the healthy metric file %s', (_name, file) => {
    const rows = new FileRows(rowKind(file)!, null);
    expect(readFileSync(file, 'utf8').split('\n').map((line) => rows.line(line)).filter(Boolean)).toEqual([]);
  });
});

/** Time (s) and row of a progress file with an elapsed-time column: the moments its metric lines were written. */
function timedRows(file: string): number[] {
  const text = readFileSync(file, 'utf8').trim();
  const lines = text.split('\n').filter((line) => !line.startsWith('#'));
  const delimiter = lines[0]!.includes('\t') ? '\t' : ',';
  const header = lines[0]!.split(delimiter).map((cell) => cell.trim());
  const column = ['time/time_elapsed', 'time_elapsed', 'Time', 'total_time', 't'].map((name) => header.indexOf(name)).find((i) => i >= 0);
  if (column === undefined) return [];
  return lines
    .slice(1)
    .map((line) => line.split(delimiter)[column]?.trim() || 'none')
    .map(Number)
    .filter((t) => Number.isFinite(t));
}

/** Replays metric lines at their times through the stall detector; the silence before each line is checked at its worst (just before it). */
function replay(times: number[], fixedMs: number | null, floorMs = AUTO_FLOOR_MS): { stalls: number; closest: number } {
  let stalls = 0;
  let closest = 0;
  let detector = new StallDetector(fixedMs, times[0]! * 1000, floorMs);
  let previous = times[0]!;
  for (const t of times) {
    // Two runs appended to one file: time starts again, and so does the watching (a new attempt).
    if (t < previous) detector = new StallDetector(fixedMs, t * 1000, floorMs);
    const before = t * 1000 - 1;
    closest = Math.max(closest, (before - previous * 1000) / detector.limitMs());
    if (detector.check(before)) stalls++;
    detector.metric(t * 1000);
    previous = t;
  }
  return { stalls, closest };
}

describe('stall detection', () => {
  const timed = files(FIXTURES)
    .map((file) => ({ file, times: timedRows(file) }))
    .filter(({ times }) => times.length >= 3);

  it('finds timed progress files to replay (the check is not vacuous)', () => {
    expect(timed.length).toBeGreaterThanOrEqual(8);
  });

  it.each(timed.map(({ file, times }) => [path.relative(FIXTURES, file), times]))('no stall alarm with auto on the healthy run %s', (_name, times) => {
    const { stalls, closest } = replay(times as number[], null);
    expect(stalls).toBe(0);
    expect(closest).toBeLessThan(1);
  });

  it('flags a run silent past its limit, once, and again only after it spoke and went silent again', () => {
    const detector = new StallDetector(3_000, 0);
    expect(detector.check(3_000)).toBeNull();
    expect(detector.check(3_001)).toEqual({ silentMs: 3_001, limitMs: 3_000 });
    expect(detector.check(10_000)).toBeNull();
    detector.activity(10_000);
    expect(detector.check(12_000)).toBeNull();
    // The silence it came back from (10 s) is now its rhythm: 1.5 × 10 s before another alarm.
    expect(detector.check(10_000 + 15_001)).toEqual({ silentMs: 15_001, limitMs: 15_000 });
  });

  it('auto: ten times the median interval between metric lines, never under the floor', () => {
    const detector = new StallDetector(null, 0, 1_000);
    for (let t = 0; t <= 100_000; t += 500) detector.metric(t);
    expect(detector.limitMs()).toBe(5_000);
    expect(detector.check(100_000 + 5_000)).toBeNull();
    expect(detector.check(100_000 + 5_001)).not.toBeNull();
    expect(new StallDetector(null, 0).limitMs()).toBe(AUTO_FLOOR_MS);
  });

  it('a periodic evaluation pause, once seen, is the run rhythm and not a stall (phase-aware)', () => {
    // A line a second, and a 60 s evaluation every 100 lines, with an explicit 45 s limit... once
    // the first pause has been flagged. With 'auto' (floor 10 min) none is.
    const times: number[] = [];
    let t = 0;
    for (let phase = 0; phase < 5; phase++) {
      for (let i = 0; i < 100; i++) {
        t += 1;
        times.push(t);
      }
      t += 60 + phase * 5;
    }
    expect(replay(times, 45_000).stalls).toBe(1);
    expect(replay(times, null).stalls).toBe(0);
    // The floor alone does not carry it: with a 20 s floor, 10 × median (10 s) would flag every pause but the longest-gap rule stops all but the first.
    expect(replay(times, null, 20_000).stalls).toBe(1);
  });
});
