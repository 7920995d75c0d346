import { appendFileSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, createSandbox, pm2, startRun, waitFor } from '../helpers/sandbox.js';

describe('rl-run logs', () => {
  let sandbox: Sandbox;
  beforeAll(() => {
    sandbox = createSandbox();
  });
  afterAll(() => sandbox.cleanup());

  it('prints the last N lines, stderr, or both labelled; a tqdm bar as its last state', async () => {
    const script = sandbox.write(
      'noisy.py',
      [
        'import sys',
        'for i in range(100):',
        '    print(f"line {i}")',
        'for p in range(0, 101, 10):',
        '    sys.stderr.write(f"\\r{p:3d}%|{\'#\' * (p // 10):<10}|")',
        'sys.stderr.write("\\n")',
        'print("bye", file=sys.stderr)',
      ].join('\n'),
    );
    const run = await startRun(sandbox, [script]);
    await waitFor('the run to end', () => sandbox.record(run.id).status.state === 'succeeded');
    expect((await sandbox.cli(['logs', run.id, '-n', '3'])).stdout).toBe('line 97\nline 98\nline 99\n');
    expect((await sandbox.cli(['logs', run.id])).stdout.split('\n')).toHaveLength(51);
    expect((await sandbox.cli(['logs', run.id, '--stderr'])).stdout).toBe('100%|##########|\nbye\n');
    // -n counts the lines of both streams together, in the order written.
    expect((await sandbox.cli(['logs', run.id, '--all', '-n', '3'])).stdout).toBe('[out] line 99\n[err] 100%|##########|\n[err] bye\n');
  });

  it('a script that writes only to stderr (logging, tqdm): logs shows stderr and says so; a 23 MB bar shows as its last state', async () => {
    const script = sandbox.write(
      'stderr_only.py',
      [
        'import logging, sys',
        'logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")',
        'for i in range(5):',
        '    logging.info("epoch %d", i)',
        // a tqdm-like bar: 240,000 redraws of 100 bytes, no newline at the end
        'for i in range(1, 240001):',
        '    sys.stderr.write("\\r%9d/240000 |%s| %s" % (i, "#" * 60, "x" * 15))',
        'sys.stderr.flush()',
      ].join('\n'),
    );
    const run = await startRun(sandbox, [script]);
    await waitFor('the run to end', () => sandbox.record(run.id).status.state === 'succeeded');
    expect(statSync(path.join(run.dir, 'stderr.log')).size).toBeGreaterThan(20_000_000);
    const bar = `   240000/240000 |${'#'.repeat(60)}| ${'x'.repeat(15)}`;
    const shown = await sandbox.cli(['logs', run.id, '-n', '3']);
    expect(shown).toEqual({ code: 0, stdout: `INFO epoch 3\nINFO epoch 4\n${bar}\n`, stderr: 'rl-run: stdout.log is empty; showing stderr.log\n' });
    const followed = await sandbox.cli(['logs', run.id, '-n', '1', '-f']);
    expect(followed.stdout).toBe(`${bar}\n`);
    // Asked for stdout by name, or both: no fallback, no notice.
    expect(await sandbox.cli(['logs', run.id, '--all', '-n', '1'])).toEqual({ code: 0, stdout: `[err] ${bar}\n`, stderr: '' });
  });

  it('--all puts stdout and stderr lines in the order they were written, from the runner\'s size samples', async () => {
    // A script that logs to stderr and prints to stdout, a second apart (four sample periods).
    const script = sandbox.write(
      'both.py',
      [
        'import logging, time',
        'logging.basicConfig(level=logging.INFO, format="%(message)s")',
        'for i in range(2):',
        '    logging.info("log %d", i)',
        '    time.sleep(1)',
        '    print(f"print {i}")',
        '    time.sleep(1)',
      ].join('\n'),
    );
    const run = await startRun(sandbox, [script]);
    await waitFor('the run to end', () => sandbox.record(run.id).status.state === 'succeeded');
    const all = await sandbox.cli(['logs', run.id, '--all']);
    expect(all).toEqual({ code: 0, stdout: '[err] log 0\n[out] print 0\n[err] log 1\n[out] print 1\n', stderr: '' });
    expect((await sandbox.cli(['logs', run.id, '--all', '-n', '2'])).stdout).toBe('[err] log 1\n[out] print 1\n');
  });

  it('-f of a running run with only stderr so far follows both streams, labelled, and says so', async () => {
    const gate = path.join(sandbox.dir, 'gate-both');
    const script = sandbox.write(
      'late_stdout.py',
      `import os, sys, time\nprint("warming up", file=sys.stderr, flush=True)\nwhile not os.path.exists(${JSON.stringify(gate)}):\n    time.sleep(0.02)\nprint("step 1", flush=True)\n`,
    );
    const run = await startRun(sandbox, [script]);
    await waitFor('the stderr line', () => readFileSync(path.join(run.dir, 'stderr.log'), 'utf8').includes('warming up'));
    const follower = sandbox.spawnCli(['logs', run.id, '-f']);
    let seen = '';
    let notice = '';
    follower.stdout?.on('data', (chunk) => {
      seen += chunk;
    });
    follower.stderr?.on('data', (chunk) => {
      notice += chunk;
    });
    await waitFor('the stderr line', () => seen.includes('[err] warming up\n'));
    appendFileSync(gate, 'open');
    const code = await new Promise<number | null>((resolve) => follower.on('close', resolve));
    expect({ code, seen, notice }).toEqual({ code: 0, seen: '[err] warming up\n[out] step 1\n', notice: 'rl-run: stdout.log is empty; showing stderr.log (following both, as --all)\n' });
  });

  it('-f streams new lines as they are written and exits 0 when the run ends', async () => {
    const gate = path.join(sandbox.dir, 'gate');
    const script = sandbox.write(
      'slow.py',
      `import os, time\nprint("first", flush=True)\nwhile not os.path.exists(${JSON.stringify(gate)}):\n    time.sleep(0.02)\nfor i in range(3):\n    print(f"after gate {i}", flush=True)\n`,
    );
    const run = await startRun(sandbox, [script]);
    const follower = sandbox.spawnCli(['logs', run.id, '-f']);
    let seen = '';
    follower.stdout?.on('data', (chunk) => {
      seen += chunk;
    });
    await waitFor('the first line', () => seen.includes('first\n'));
    expect(seen).not.toContain('after gate');
    appendFileSync(gate, 'open');
    const code = await new Promise<number | null>((resolve) => follower.on('close', resolve));
    expect(code).toBe(0);
    expect(seen).toBe('first\nafter gate 0\nafter gate 1\nafter gate 2\n');
  });

  it('ends quietly with exit 0 when the reader closes the pipe early (rl-run logs … | head)', async () => {
    const script = sandbox.write('chatty.py', 'for i in range(50000):\n    print(f"line {i} " + "x" * 40)\n');
    const run = await startRun(sandbox, [script]);
    await waitFor('the run to end', () => sandbox.record(run.id).status.state === 'succeeded');
    const reader = sandbox.spawnCli(['logs', run.id, '-n', '50000']);
    let stderr = '';
    reader.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    reader.stdout?.once('data', () => reader.stdout?.destroy());
    const code = await new Promise<number | null>((resolve) => reader.on('close', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('works the same for a run pm2 no longer knows', async () => {
    const script = sandbox.write('hello.py', 'print("hello from the past")\n');
    const run = await startRun(sandbox, [script]);
    await waitFor('the run to end', () => sandbox.record(run.id).status.state === 'succeeded');
    pm2(sandbox, 'delete', run.pm2Name);
    expect((await sandbox.cli(['logs', run.id])).stdout).toBe('hello from the past\n');
    expect(readFileSync(path.join(run.dir, 'stdout.log'), 'utf8')).toBe('hello from the past\n');
  });
});
