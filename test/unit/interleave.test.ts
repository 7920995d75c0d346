import { describe, expect, it } from 'vitest';
import { SampleRecorder, interleave, parseSamples } from '../../src/logs/interleave.js';

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
