import { describe, expect, it } from 'vitest';
import { ID_PATTERN, expandNameTemplate, idName, idTimestamp, makeRunId, sanitizeName } from '../../src/registry/id.js';

describe('sanitizeName', () => {
  it.each([
    ['train', 'train'],
    ['my run', 'my-run'],
    ['../../etc/passwd', 'etc-passwd'],
    ['a/b\\c', 'a-b-c'],
    ['tab\there\nnewline', 'tab-here-newline'],
    ['..', 'run'],
    ['.hidden', 'hidden'],
    ['-flag', 'flag'],
    ['ppo..v2', 'ppo.v2'],
    ['', 'run'],
    ['x'.repeat(100), 'x'.repeat(64)],
    ['ünïcode', 'unicode'],
  ])('%j → %j', (raw, safe) => {
    expect(sanitizeName(raw)).toBe(safe);
  });
});

describe('run ids', () => {
  const now = new Date(2026, 10, 24, 9, 5, 7);
  it('are name, local time to the second, and a random suffix', () => {
    const id = makeRunId('ppo', now, () => 'abc123');
    expect(id).toBe('ppo-20261124-090507-abc123');
    expect(ID_PATTERN.test(id)).toBe(true);
    expect(idName(id)).toBe('ppo');
    expect(idTimestamp(id)).toBe('20261124090507');
  });

  it('keep dashes in names', () => {
    expect(idName('ppo-lstm-v2-20261124-090507-abc123')).toBe('ppo-lstm-v2');
  });

  it('almost never repeat in 10 000 draws within one second', () => {
    // 36^6 suffixes: 10 000 draws repeat one about 2% of the time (the birthday bound), which made
    // this test flaky when it demanded none; three or more repeats (p ~ 2e-6) mean a broken source.
    // A repeat never reuses a directory: stageRunDir refuses an id that is taken (or being made) and another is drawn.
    const ids = new Set(Array.from({ length: 10_000 }, () => makeRunId('x', now)));
    expect(ids.size).toBeGreaterThanOrEqual(9_998);
  });
});

describe('expandNameTemplate', () => {
  const base = { user: 'ada', now: new Date(2026, 10, 24) };
  it.each([
    ['{script}', '/p/train.py', [], 'train'],
    ['{script}-{user}', '/p/train.py', [], 'train-ada'],
    ['{script}-{date}', '/p/train.py', [], 'train-20261124'],
    ['{script}', null, ['python3', '-m', 'pkg.train', '--x', '1'], 'pkg.train'],
    ['{script}', null, ['bash', 'run.sh'], 'run'],
    ['{script}', null, ['./train'], 'train'],
  ] as const)('%s with %s %j → %s', (template, script, command, expected) => {
    expect(expandNameTemplate(template, { ...base, script, command: [...command] })).toBe(expected);
  });
});
