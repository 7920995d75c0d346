import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { forEachCompleteBlock } from '../../src/metrics/line-reader.js';
import { StdoutExtractor } from '../../src/metrics/stdout-extractor.js';
import { numberInRange } from '../../src/metrics/stdout-scan.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function blocks(content: string, blockBytes: number): Promise<string[]> {
  dir = mkdtempSync(path.join(tmpdir(), 'rl-run-blocks-'));
  const file = path.join(dir, 'stdout.log');
  writeFileSync(file, content);
  const seen: string[] = [];
  await forEachCompleteBlock(file, (buf, end) => seen.push(buf.toString('utf8', 0, end)), {}, blockBytes);
  return seen;
}

describe('reading whole lines as bytes', () => {
  it.each<[string, string, number, string]>([
    ['lines split across blocks are carried over', 'a=1\nbb=2\nccc=3\n', 6, 'a=1\nbb=2\nccc=3\n'],
    ['a line longer than the buffer grows it', `x=${'1'.repeat(40)}\ny=2\n`, 8, `x=${'1'.repeat(40)}\ny=2\n`],
    ['a last line without its newline waits (live run)', 'a=1\nb=2', 4, 'a=1\n'],
    ['multi-byte characters are never split', 'é=1\n€ loss=2\n', 5, 'é=1\n€ loss=2\n'],
    ['an empty file gives nothing', '', 4, ''],
  ])('%s', async (_, content, blockBytes, expected) => {
    const seen = await blocks(content, blockBytes);
    expect(seen.join('')).toBe(expected);
    for (const block of seen) expect(block.endsWith('\n')).toBe(true);
  });
});

describe('numbers read from bytes', () => {
  const bytes = (text: string) => Buffer.from(`${text}\n`);
  it.each<[string, number | undefined]>([
    ['2048', 2048],
    ['-112.5', -112.5],
    ['3e-4', 3e-4],
    ['-4.82e+03', -4820],
    ['1.5E3', 1500],
    ['0.1234567890123456789', Number('0.1234567890123456789')],
    ['12345678901234567890', Number('12345678901234567890')],
    ['1e400', Number.POSITIVE_INFINITY],
    ['-0', -0],
    ['.5', 0.5],
    ['5.', 5],
    ['+7', 7],
    ['NaN', Number.NaN],
    ['-inf', Number.NEGATIVE_INFINITY],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['1e', undefined],
    ['.', undefined],
    ['12s', undefined],
    ['nanx', undefined],
  ])('%s', (text, expected) => {
    expect(numberInRange(bytes(text), 0, text.length)).toBe(expected);
  });
});

describe('repeated line shapes (line templates) give what a fresh scan gives', () => {
  function extract(lines: string[]): Record<string, [number, number][]> {
    const extractor = new StdoutExtractor('log');
    extractor.chunk(lines.join('\n'));
    return Object.fromEntries(extractor.finish().map((s) => [s.name, s.points.map((p) => [p.step, p.value] as [number, number])]));
  }

  it.each<[string, string[], Record<string, [number, number][]>]>([
    ['values of other lengths and forms', ['a=1, b=2', 'a=12345, b=-2.5e-3', 'a=.5, b=+7'], { a: [[0, 1], [1, 12345], [2, 0.5]], b: [[0, 2], [1, -0.0025], [2, 7]] }],
    ['a value that is no number breaks the shape', ['step=1 loss=0.5', 'step=3 loss=x', 'step=4 loss=-1e3'], { loss: [[1, 0.5], [4, -1000]] }],
    ['nan and inf in a known shape', ['step=1 loss=0.5', 'step=2 loss=nan', 'step=3 loss=-inf'], { loss: [[1, 0.5], [2, Number.NaN], [3, Number.NEGATIVE_INFINITY]] }],
    ['a key that differs by one byte', ['lr=1 seed=2', 'lr=1 seeds=2'], { lr: [[0, 1], [1, 1]], seed: [[0, 2]], seeds: [[0, 2]] }],
    ['two shapes in turns', ['global_step=1, x=1', 'global step=1, y=2', 'global_step=2, x=3', 'global step=2, y=4'], { x: [[1, 1], [2, 3]], y: [[1, 2], [2, 4]] }],
    ['a redraw of a known shape counts from its last \\r', ['a=1 b=2', 'a=9 b=9\ra=3 b=4'], { a: [[0, 1], [1, 3]], b: [[0, 2], [1, 4]] }],
    ['an ignored key keeps its place in the shape', ['pid=1 loss=2', 'pid=7 loss=3'], { loss: [[0, 2], [1, 3]] }],
  ])('%s', (_, lines, expected) => {
    expect(extract(lines)).toEqual(expected);
  });
});

describe('repeated table rows (row templates) give what a fresh scan gives', () => {
  const table = (fps: string, steps: string, tail = '|') => [
    '-----------------------------------',
    '| time/              |          |',
    `|    fps             | ${fps.padEnd(9)}${tail}`,
    `|    total_timesteps | ${steps.padEnd(9)}|`,
    '-----------------------------------',
  ];

  it.each<[string, string[], Record<string, [number, number][]>]>([
    ['values of other lengths', [...table('579', '16768'), ...table('1464', '20960'), ...table('7', '1e5')], { 'time/fps': [[16768, 579], [20960, 1464], [100000, 7]] }],
    ['an empty or wordy cell is no value', [...table('579', '100'), ...table('', '200'), ...table('fast', '300')], { 'time/fps': [[100, 579]] }],
    ['text after the closing bar makes it no row', [...table('1', '100'), ...table('2', '200', '| x')], { 'time/fps': [[100, 1]] }],
  ])('%s', (_, lines, expected) => {
    const extractor = new StdoutExtractor('log');
    extractor.chunk(lines.join('\n'));
    const series = extractor.finish().map((s) => [s.name, s.points.map((p) => [p.step, p.value])]);
    expect(Object.fromEntries(series)).toEqual(expected);
  });
});
