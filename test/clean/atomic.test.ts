import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmdirSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeJsonAtomic } from '../../src/registry/atomic.js';

describe('writeJsonAtomic on a nearly full disk', () => {
  let dir: string;
  let mounted = false;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'rl-run-atomic-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
      mounted = true;
    } catch {
      // not root: skipped below
    }
  });
  afterAll(() => {
    if (mounted) execFileSync('umount', [dir]);
    rmdirSync(dir);
  });

  it('throws ENOSPC and keeps the old file when only part of the new one fits', (context) => {
    if (!mounted) context.skip();
    const file = path.join(dir, 'run.json');
    writeJsonAtomic(file, { old: 'x'.repeat(6000) });
    const before = readFileSync(file, 'utf8');
    const { bavail, bsize } = statfsSync(dir);
    writeFileSync(path.join(dir, 'filler'), Buffer.alloc(bavail * bsize - 4096));
    expect(() => writeJsonAtomic(file, { new: 'y'.repeat(9000) })).toThrow(/ENOSPC/);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(readdirSync(dir).sort()).toEqual(['filler', 'run.json']);
  });
});
