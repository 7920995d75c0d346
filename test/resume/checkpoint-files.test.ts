import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listCheckpoints, newestCheckpoint } from '../../src/resume/checkpoint.js';
import { waitFor } from '../helpers/sandbox.js';

let dir: string;
let outside: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'rl-run-ckpt-'));
  outside = mkdtempSync(path.join(tmpdir(), 'rl-run-elsewhere-'));
  mkdirSync(path.join(dir, 'checkpoints'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const old = (file: string, secondsAgo: number) => {
  const t = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(file, t, t);
};

describe('checkpoint files in a run directory', () => {
  it('takes only regular files: a symlink (to a file outside, or a folder of them) and a FIFO are never chosen', async () => {
    const real = path.join(dir, 'checkpoints', 'step_1.pt');
    writeFileSync(real, 'x');
    old(real, 60);
    writeFileSync(path.join(outside, 'step_9.pt'), 'theirs');
    symlinkSync(path.join(outside, 'step_9.pt'), path.join(dir, 'checkpoints', 'step_9.pt'));
    symlinkSync(outside, path.join(dir, 'linked'));
    execFileSync('mkfifo', [path.join(dir, 'checkpoints', 'step_8.pt')]);
    expect((await listCheckpoints(dir, 'checkpoints/*.pt')).map((f) => f.relative)).toEqual(['checkpoints/step_1.pt']);
    expect(await listCheckpoints(dir, 'linked/*.pt')).toEqual([]);
    expect((await listCheckpoints(dir, '**/*.pt')).map((f) => f.relative)).toEqual(['checkpoints/step_1.pt']);
  });

  it('passes over a file still growing for the complete one before it', async () => {
    const complete = path.join(dir, 'checkpoints', 'step_1.pt');
    writeFileSync(complete, 'whole');
    old(complete, 60);
    const growing = path.join(dir, 'checkpoints', 'step_2.pt');
    // A writer that appends every 100 ms for 4 s: what torch.save to the final name looks like.
    const writer = spawn('python3', ['-c', `import time\nf=open(${JSON.stringify(growing)},'ab')\nfor _ in range(40):\n    f.write(b'x'*1000); f.flush(); time.sleep(0.1)\n`]);
    try {
      await waitFor('the writer to start', () => existsSync(growing) && statSync(growing).size > 0);
      expect(await newestCheckpoint(dir, 'checkpoints/*.pt')).toBe('checkpoints/step_1.pt');
    } finally {
      writer.kill('SIGKILL');
    }
  });

  it('takes a fresh file whose size held for 2 s', async () => {
    const done = path.join(dir, 'checkpoints', 'step_3.pt');
    writeFileSync(done, 'finished just now');
    expect(await newestCheckpoint(dir, 'checkpoints/*.pt')).toBe('checkpoints/step_3.pt');
  });
});
