import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statfsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, createSandbox, killByPm2Home, startRun, waitFor } from '../helpers/sandbox.js';

/** runsDir on a 1 MB tmpfs (CI runs as root); skipped where mounting is not allowed. */
function tryMount(dir: string): boolean {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=700', 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Fills the file system of `dir` until only `leave` bytes are free (or none: the ended run's
 * runner may still append a line between the measure and the write, and then the write meets
 * ENOSPC, as it did once in CI; the disk is full either way, so measure again and stop).
 */
function fill(dir: string, leave: number): void {
  for (let attempt = 0; attempt < 5; attempt++) {
    const { bavail, bsize } = statfsSync(dir);
    const bytes = bavail * bsize - leave;
    if (bytes <= 0) return;
    try {
      writeFileSync(path.join(dir, `.filler-${Date.now()}-${attempt}`), Buffer.alloc(bytes));
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    }
  }
}

const oneLine = (stderr: string) => stderr.trim().split('\n').length === 1 && !/\n\s+at /.test(stderr);

describe('a full disk', () => {
  let sandbox: Sandbox;
  let mounted = false;
  beforeAll(() => {
    sandbox = createSandbox();
    mounted = tryMount(sandbox.runsDir);
  });
  afterAll(async () => {
    await killByPm2Home(sandbox.pm2Home);
    if (mounted) execFileSync('umount', [sandbox.runsDir]);
    await sandbox.cleanup();
  });

  it('fails start and clean with one clear line, keeps ls and du working, and damages no record', async (context) => {
    if (!mounted) context.skip();
    const quick = sandbox.write('quick.py', 'print("done")\n');
    const ended = await startRun(sandbox, [quick, '--name', 'ended']);
    await waitFor('the run to end', () => sandbox.record(ended.id).status.state === 'succeeded');

    // run.json and the script's logs; runner.log is pm2's to append to, and it may still be doing so.
    const files = ['run.json', 'stdout.log', 'stderr.log'].map((f) => path.join(sandbox.runsDir, ended.id, f));
    const before = files.map((f) => readFileSync(f, 'utf8'));

    // One page left: enough for a record, not for the runner to rewrite it. Start used to wait 60 s here.
    fill(sandbox.runsDir, 4096);
    const started = Date.now();
    const nearlyFull = await sandbox.cli(['start', quick]);
    expect(nearlyFull.code).toBe(1);
    expect(nearlyFull.stderr).toMatch(/^rl-run: no space left on the device of .*: free some space/);
    expect(oneLine(nearlyFull.stderr)).toBe(true);
    expect(Date.now() - started).toBeLessThan(15_000);

    fill(sandbox.runsDir, 0);
    const full = await sandbox.cli(['start', quick]);
    expect(full.code).toBe(1);
    expect(oneLine(full.stderr)).toBe(true);
    expect(full.stderr).toContain('no space left');

    const ls = await sandbox.cli(['ls']);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toContain(ended.id);
    expect((await sandbox.cli(['du'])).code).toBe(0);

    const clean = await sandbox.cli(['clean', '--status', 'succeeded', '--yes']);
    expect(clean.code).toBe(1);
    expect(oneLine(clean.stderr)).toBe(true);
    expect(clean.stderr).toMatch(/no space left on the device/);
    expect(existsSync(path.join(sandbox.runsDir, ended.id))).toBe(true);

    expect(readdirSync(sandbox.runsDir).filter((name) => !name.startsWith('.'))).toEqual([ended.id]);
    expect(JSON.parse(readFileSync(path.join(sandbox.runsDir, ended.id, 'run.json'), 'utf8')).status.state).toBe('succeeded');
    expect(files.map((f) => readFileSync(f, 'utf8'))).toEqual(before);
  });
});
