import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ByteInterner } from '../../src/metrics/byte-interner.js';
import { forEachCompleteBlock } from '../../src/metrics/line-reader.js';
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
  await forEachCompleteBlock(file, (buf, end) => seen.push(buf.toString('utf8', 0, end)), blockBytes);
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

describe('interning keys by their bytes', () => {
  it('gives one id per distinct byte string, across buffers and table growth', () => {
    const keys = new ByteInterner();
    const names = Array.from({ length: 3000 }, (_, i) => `metric_${i}`);
    const ids = names.map((name) => keys.intern(Buffer.from(`x${name}y`), 1, name.length + 1));
    expect(new Set(ids).size).toBe(names.length);
    for (const [i, name] of names.entries()) {
      expect(keys.intern(Buffer.from(name), 0, name.length)).toBe(ids[i]);
      expect(keys.text(ids[i]!)).toBe(name);
    }
  });
});
