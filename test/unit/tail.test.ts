import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lastState } from '../../src/logs/progress.js';
import { readLastLines } from '../../src/logs/tail.js';

const dir = mkdtempSync(path.join(tmpdir(), 'rl-run-tail-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string | Buffer) => {
  const full = path.join(dir, name);
  writeFileSync(full, text);
  return full;
};

describe('lastState', () => {
  it.each([
    ['plain', 'plain'],
    ['a\rb\rc', 'c'],
    ['crlf\r', 'crlf'],
    [' 10%|#  |\r 50%|#####|\r100%|#########|\r', '100%|#########|'],
    ['', ''],
  ])('%j → %j', (line, state) => {
    expect(lastState(line)).toBe(state);
  });
});

describe('readLastLines', () => {
  it.each([
    ['a\nb\nc\n', 2, ['b', 'c']],
    ['a\nb\nc', 2, ['b', 'c']],
    ['a\nb\nc\n', 10, ['a', 'b', 'c']],
    ['a\nb\nc\n', 0, []],
    ['', 5, []],
    ['\n\n', 5, ['', '']],
    ['x\r\ny\r\n', 5, ['x', 'y']],
    ['epoch 1\n 10%|#\r 90%|#########\r100%|##########\nepoch 2\n', 2, ['100%|##########', 'epoch 2']],
  ] as const)('%j, %d → %j', (text, count, lines) => {
    expect(readLastLines(file(`t${Math.random()}`, text), count)).toEqual(lines);
  });

  it('reads only the end of a large file, across chunk borders', () => {
    const lines = Array.from({ length: 200_000 }, (_, i) => `line ${i} ${'x'.repeat(i % 97)}`);
    const big = file('big.log', `${lines.join('\n')}\n`);
    expect(readLastLines(big, 3)).toEqual(lines.slice(-3));
    expect(readLastLines(big, 5000)).toEqual(lines.slice(-5000));
  });

  it('keeps multi-byte characters whole', () => {
    const text = `${'é'.repeat(70_000)}\n한국어 로그\n`;
    expect(readLastLines(file('utf8.log', text), 2)).toEqual(['é'.repeat(70_000), '한국어 로그']);
  });

  it('reads the file as it was at `end`', () => {
    const f = file('growing.log', 'one\ntwo\nthree\n');
    expect(readLastLines(f, 5, 'one\ntwo\n'.length)).toEqual(['one', 'two']);
  });

  it('gives [] for a missing file', () => {
    expect(readLastLines(path.join(dir, 'nope.log'), 5)).toEqual([]);
  });
});
