import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastState } from '../../src/logs/progress.js';
import { followFiles } from '../../src/logs/follow.js';
import { MAX_LINE, readLastLines } from '../../src/logs/tail.js';

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
    ['a\r\r', 1, ['']],
    ['x\n10%\r20%\r', 5, ['x', '20%']],
    ['\r\r\n', 1, ['']],
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

  it('shows a line longer than MAX_LINE as its end, after …, and the lines above it whole', () => {
    const long = `${'é'.repeat(MAX_LINE)}tail`;
    const [above, shown] = readLastLines(file('long.log', `above\n${long}\n`), 2);
    expect(above).toBe('above');
    expect(shown?.startsWith('…é')).toBe(true);
    expect(shown?.endsWith('éétail')).toBe(true);
    expect(Buffer.byteLength(shown!.slice(1))).toBeLessThanOrEqual(MAX_LINE);
  });

  it('gives [] for a missing file', () => {
    expect(readLastLines(path.join(dir, 'nope.log'), 5)).toEqual([]);
  });
});

/** `n` tqdm-like redraws, `\r` before each, about 100 bytes apiece, and no newline. */
function redraws(n: number): string {
  let text = '';
  for (let i = 1; i <= n; i++) text += `\r${String(i).padStart(9)}/${n} |${'#'.repeat(60)}| ${'x'.repeat(15)}`;
  return text;
}

/**
 * A progress bar that redrew itself with `\r` for more than 16 MB without a newline, as a file holds
 * it after a long tqdm loop. Measured in a separate node process: its peak RSS, against reading a
 * small file, shows what reading the big one kept in memory.
 */
describe('a progress bar redrawn over 40 MB with no newline', () => {
  const BAR_STATES = 400_000;
  const finalState = `   ${BAR_STATES}/${BAR_STATES} |${'#'.repeat(60)}| ${'x'.repeat(15)}`;
  let bar: string;
  let small: string;
  beforeAll(() => {
    bar = path.join(dir, 'bar.log');
    writeFileSync(bar, 'epoch 1\nepoch 2\nepoch 3\n');
    for (let chunk = 0; chunk < 10; chunk++) appendFileSync(bar, redraws(BAR_STATES / 10).replaceAll(`/${BAR_STATES / 10} `, `/${BAR_STATES} `));
    // the final state, written last
    appendFileSync(bar, `\r${finalState}`);
    small = file('small.log', 'a\nb\n');
  });

  /** Runs `code` (which sets `result`) in a fresh node with the built modules; returns result and peak RSS in MB. */
  function measure(code: string): { result: unknown; peakMb: number } {
    const root = path.resolve(import.meta.dirname, '../..');
    const script = `
      const { readLastLines } = await import(${JSON.stringify(`${root}/dist/logs/tail.js`)});
      const { followFiles } = await import(${JSON.stringify(`${root}/dist/logs/follow.js`)});
      let result;
      ${code}
      process.stdout.write(JSON.stringify({ result, peakMb: process.resourceUsage().maxRSS / 1024 }));
    `;
    return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }));
  }

  it('-n prints the bar as its last state, and the complete lines above it, in bounded memory', () => {
    const base = measure(`result = readLastLines(${JSON.stringify(small)}, 3);`);
    const big = measure(`result = readLastLines(${JSON.stringify(bar)}, 3);`);
    expect(big.result).toEqual(['epoch 2', 'epoch 3', finalState]);
    // Holding the 40 MB line once would show here as 40 MB (measured before the fix: +215 MB for -f).
    expect(big.peakMb - base.peakMb).toBeLessThan(20);
  });

  it('-n past the bar once it ended with a newline', () => {
    const ended = path.join(dir, 'bar-ended.log');
    execFileSync('cp', [bar, ended]);
    appendFileSync(ended, '\r\nepoch 4\n');
    expect(measure(`result = readLastLines(${JSON.stringify(ended)}, 3);`).result).toEqual(['epoch 3', finalState, 'epoch 4']);
  });

  it('-f prints the complete lines and the bar as its last state, in bounded memory', () => {
    const follow = (target: string) => `
      let text = '';
      await followFiles({ sources: [{ file: ${JSON.stringify(target)}, label: '' }], from: [0], write: (t) => { text += t; }, hasEnded: () => true, raw: false });
      result = text;`;
    const base = measure(follow(small));
    const big = measure(follow(bar));
    expect(big.result).toBe(`epoch 1\nepoch 2\nepoch 3\n${finalState}\n`);
    expect(big.peakMb - base.peakMb).toBeLessThan(20);
  });
});

describe('followFiles on a terminal', () => {
  it('shows the bar in progress on the last line, then the finished line in its place', async () => {
    const f = file('live.log', 'l1\nbar\r50%');
    let calls = 0;
    let text = '';
    await followFiles({
      sources: [{ file: f, label: '' }],
      from: [0],
      write: (t) => {
        text += t;
      },
      hasEnded: () => {
        calls++;
        if (calls === 2) appendFileSync(f, '\r100%\nnext\n');
        return calls >= 2;
      },
      raw: true,
    });
    expect(text).toBe('l1\n\r\x1b[K50%\r\x1b[K100%\nnext\n');
  });
});

describe('followFiles on a line longer than its limit', () => {
  it('keeps the end of a 3 MB line without `\r`, after …, and a bar state after it whole', async () => {
    const f = file('long-follow.log', `${'a'.repeat(3 * 1024 * 1024)}end\n${'b'.repeat(3 * 1024 * 1024)}\rstate\r\n`);
    let text = '';
    const write = (t: string) => {
      text += t;
    };
    await followFiles({ sources: [{ file: f, label: '' }], from: [0], write, hasEnded: () => true, raw: false });
    const [first, second, rest] = text.split('\n');
    expect(first?.startsWith('…aaa')).toBe(true);
    expect(first?.endsWith('aend')).toBe(true);
    expect(first!.length).toBeLessThanOrEqual(1024 * 1024 + 1);
    expect([second, rest]).toEqual(['state', '']);
  });
});
