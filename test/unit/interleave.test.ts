import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SampleRecorder, interleave, parseSamples } from '../../src/logs/interleave.js';
import { readLastLinesInOrder } from '../../src/logs/order.js';

describe('SampleRecorder: which samples reach output.idx', () => {
  it.each<[string, [number, number][], string[]]>([
    ['nothing written: nothing recorded', [[0, 0], [0, 0]], []],
    ['only stdout grows: one window, closed at the end', [[10, 0], [20, 0], [30, 0]], ['30 0']],
    ['stdout, then stderr, then stdout: a boundary at each switch', [[10, 0], [20, 0], [20, 5], [20, 9], [30, 9]], ['20 0', '20 9', '30 9']],
    ['both grow in each window: every window kept', [[1, 1], [2, 2], [3, 3]], ['1 1', '2 2', '3 3']],
  ])('%s', (_what, samples, written) => {
    const lines: string[] = [];
    const recorder = new SampleRecorder([0, 0], (line) => lines.push(line.trimEnd()));
    for (const [out, err] of samples) recorder.sample(out, err);
    recorder.close();
    expect(lines).toEqual(written);
  });
});

describe('interleave', () => {
  const line = (text: string, end: number) => ({ text, end });
  it.each<[string, [number, number][], string[]]>([
    ['no samples: stdout first, then stderr', [], ['out a', 'out b', 'err x', 'err y']],
    // out a ends at 2, out b at 4; err x ends at 2, err y at 4
    ['a sample between each: the written order', [[2, 0], [2, 2], [4, 2], [4, 4]], ['out a', 'err x', 'out b', 'err y']],
    ['stderr first', [[0, 2], [2, 2], [2, 4], [4, 4]], ['err x', 'out a', 'err y', 'out b']],
    ['one window for a and x: stdout first inside it', [[2, 2], [2, 4], [4, 4]], ['out a', 'err x', 'err y', 'out b']],
  ])('%s', (_what, samples, expected) => {
    const merged = interleave([line('a', 2), line('b', 4)], [line('x', 2), line('y', 4)], samples, 10);
    expect(merged.map((l) => `${l.stream} ${l.text}`)).toEqual(expected);
  });

  it('keeps the last `count` of the merged lines', () => {
    const merged = interleave([line('a', 2), line('b', 4)], [line('x', 2), line('y', 4)], [[2, 0], [2, 2], [4, 2], [4, 4]], 2);
    expect(merged.map((l) => l.text)).toEqual(['b', 'y']);
  });

  it('skips torn lines of the index', () => {
    expect(parseSamples(['1 2', '3', 'x y', '4 5'])).toEqual([
      [1, 2],
      [4, 5],
    ]);
  });
});

describe('readLastLinesInOrder on real files', () => {
  it('reads as much of a long index as the lines asked for need', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rl-run-order-'));
    try {
      // 10,000 alternations: out line i, then err line i, each in its own window.
      let out = '';
      let err = '';
      let index = '';
      for (let i = 0; i < 10_000; i++) {
        out += `o${i}\n`;
        index += `${Buffer.byteLength(out)} ${Buffer.byteLength(err)}\n`;
        err += `e${i}\n`;
        index += `${Buffer.byteLength(out)} ${Buffer.byteLength(err)}\n`;
      }
      const files = { stdout: path.join(dir, 'out'), stderr: path.join(dir, 'err'), index: path.join(dir, 'idx') };
      writeFileSync(files.stdout, out);
      writeFileSync(files.stderr, err);
      writeFileSync(files.index, index);
      const ends: [number, number] = [Buffer.byteLength(out), Buffer.byteLength(err)];
      const read = (n: number) => readLastLinesInOrder(files, n, ends);
      expect(read(3)).toEqual({ ordered: true, lines: [{ stream: 'err', text: 'e9998' }, { stream: 'out', text: 'o9999' }, { stream: 'err', text: 'e9999' }] });
      // 20,000 lines need every one of the 20,000 samples, read back in growing steps.
      const all = read(20_000).lines.map((l) => l.text);
      expect(all).toEqual(Array.from({ length: 10_000 }, (_, i) => [`o${i}`, `e${i}`]).flat());
      rmSync(files.index);
      // Without the index: the last 3 of each, stdout's first.
      expect(read(3).ordered).toBe(false);
      expect(read(3).lines.map((l) => l.text)).toEqual(['o9997', 'o9998', 'o9999', 'e9997', 'e9998', 'e9999']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
