import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readLastLines } from '../../src/logs/tail.js';
import { writeFileAtomic } from '../../src/registry/atomic.js';
import { UnsafeFileError, appendNoFollow, createExclusive, ensurePrivateDir, openRegularForRead } from '../../src/registry/safe-fs.js';

describe('safe-fs: no link followed, no special file read, everything private', () => {
  let dir: string;
  let outside: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'rl-run-safe-fs-'));
    outside = path.join(dir, 'outside.txt');
    writeFileSync(outside, 'outside\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const link = (name: string, target = outside) => {
    const file = path.join(dir, name);
    symlinkSync(target, file);
    return file;
  };

  it.each([
    ['appendNoFollow', (file: string) => appendNoFollow(file, 'x\n')],
    ['openRegularForRead', (file: string) => openRegularForRead(file)],
    ['readLastLines', (file: string) => readLastLines(file, 10)],
  ])('%s refuses a symlink with UnsafeFileError, and the target is untouched', (_name, act) => {
    const file = link('stdout.log');
    expect(() => act(file)).toThrow(UnsafeFileError);
    expect(() => act(file)).toThrow(/stdout\.log is a symlink/);
    expect(readFileSync(outside, 'utf8')).toBe('outside\n');
  });

  it('createExclusive refuses anything already there, a link included', () => {
    const file = link('runner.log');
    expect(() => createExclusive(file, 'x')).toThrow(/EEXIST/);
    expect(readFileSync(outside, 'utf8')).toBe('outside\n');
  });

  it('writeFileAtomic replaces a link with a file, and the target keeps its bytes', () => {
    const file = link('stop-requested');
    writeFileAtomic(file, 'now\n');
    expect(readFileSync(outside, 'utf8')).toBe('outside\n');
    expect(readFileSync(file, 'utf8')).toBe('now\n');
  });

  it('a FIFO is refused at once, for reading and for appending, instead of hanging', () => {
    const fifo = path.join(dir, 'stdout.log');
    execFileSync('mkfifo', [fifo]);
    expect(() => readLastLines(fifo, 10)).toThrow(/stdout\.log is a FIFO/);
    expect(() => appendNoFollow(fifo, 'x')).toThrow(/stdout\.log is a FIFO/);
  });

  it('a missing file reads as absent', () => {
    expect(openRegularForRead(path.join(dir, 'nope'))).toBeNull();
    expect(readLastLines(path.join(dir, 'nope'), 5)).toEqual([]);
  });

  it('files and folders are made 0600 and 0700 under umask 000', () => {
    const previous = process.umask(0);
    try {
      const runs = path.join(dir, 'a', 'runs');
      ensurePrivateDir(runs);
      createExclusive(path.join(runs, 'log'));
      appendNoFollow(path.join(runs, 'appended'), 'x');
      writeFileAtomic(path.join(runs, 'run.json'), '{}');
      const mode = (file: string) => (statSync(path.join(runs, file)).mode & 0o777).toString(8);
      expect([mode('.'), mode('log'), mode('appended'), mode('run.json')]).toEqual(['700', '600', '600', '600']);
    } finally {
      process.umask(previous);
    }
  });
});
