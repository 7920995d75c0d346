import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, EXAMPLE, type Sandbox, cliJson, createSandbox, isAlive, startRun, waitFor } from '../helpers/sandbox.js';

describe('a run from start to stop', () => {
  let sandbox: Sandbox;
  beforeAll(() => {
    sandbox = createSandbox();
  });
  afterAll(() => sandbox.cleanup());

  it('start prints the id, the log directory and how to follow it', async () => {
    const result = await sandbox.cli(['start', EXAMPLE, '--', '--steps', '4096', '--step-time', '0']);
    expect(result.code).toBe(0);
    const id = /^started (\S+)$/m.exec(result.stdout)?.[1];
    expect(id).toMatch(/^train-\d{8}-\d{6}-[0-9a-z]{6}$/);
    expect(result.stdout).toContain(path.join(sandbox.runsDir, id!));
    // rl-run is on no PATH here: the hint is the command that works as printed.
    expect(result.stdout).toContain(`follow: node ${CLI} logs ${id} -f`);
  });

  it('records everything about the run, and how it ended', async () => {
    const run = await startRun(sandbox, [EXAMPLE, '--tag', 'a', '--tag', 'b', '--env', 'EXTRA=1', '--', '--lr', '1e-3', '--steps', '8192', '--step-time', '0']);
    expect(run.pm2Name).toBe(`rlrun-${run.id}`);
    const record = await waitFor('the run to succeed', () => {
      const r = sandbox.record(run.id);
      return r.status.state === 'succeeded' && r;
    });
    expect(record).toMatchObject({
      schemaVersion: 1,
      id: run.id,
      name: 'train',
      backend: 'pm2',
      script: EXAMPLE,
      args: ['--lr', '1e-3', '--steps', '8192', '--step-time', '0'],
      command: ['python3', EXAMPLE, '--lr', '1e-3', '--steps', '8192', '--step-time', '0'],
      cwd: sandbox.dir,
      interpreter: 'python3',
      tags: ['a', 'b'],
      env: { EXTRA: '1' },
      status: { state: 'succeeded', exitCode: 0 },
      pm2Name: run.pm2Name,
      rlRunVersion: '0.1.0',
      stopTimeoutMs: 30_000,
    });
    expect(record.pid).toBeGreaterThan(0);
    expect(Date.parse(record.status.endedAt)).toBeGreaterThanOrEqual(Date.parse(record.startedAt));
    expect(record.attempts).toHaveLength(1);
    expect(readFileSync(path.join(run.dir, 'stdout.log'), 'utf8')).toContain('global_step=8192');
    expect(existsSync(path.join(run.dir, 'progress.csv'))).toBe(true);
  });

  it('gives the script RL_RUN_ID, RL_RUN_DIR, RL_RUN_NAME and PYTHONUNBUFFERED, and none of pm2s variables', async () => {
    const probe = sandbox.write('env_probe.py', 'import json, os\nprint(json.dumps(dict(os.environ)))\n');
    const run = await startRun(sandbox, [probe, '--name', 'probe', '--env', 'name=mine']);
    await waitFor('the probe to end', () => sandbox.record(run.id).status.state === 'succeeded');
    const env = JSON.parse(readFileSync(path.join(run.dir, 'stdout.log'), 'utf8'));
    expect(env).toMatchObject({ RL_RUN_ID: run.id, RL_RUN_DIR: run.dir, RL_RUN_NAME: 'probe', PYTHONUNBUFFERED: '1', name: 'mine' });
    expect(Object.keys(env).filter((key) => /^(pm_|axm_|rlrun-)/.test(key) || ['pm_id', 'unique_id', 'NODE_APP_INSTANCE'].includes(key))).toEqual([]);
  });

  it('stop sends SIGINT, waits for the checkpoint, and leaves no worker behind', async () => {
    const run = await startRun(sandbox, [EXAMPLE, '--', '--steps', '100000000', '--step-time', '0.05', '--workers', '2', '--checkpoint-time', '1']);
    const workers = await waitFor('the workers to start', () => {
      const record = sandbox.record(run.id);
      const children = readFileSync(`/proc/${record.pid}/task/${record.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      return children.length === 2 && children;
    });
    const stop = await sandbox.cli(['stop', run.id]);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain(`stopped ${run.id}`);
    const record = sandbox.record(run.id);
    expect(record.status).toMatchObject({ state: 'stopped', exitCode: 0 });
    expect(JSON.parse(readFileSync(path.join(run.dir, 'checkpoint.json'), 'utf8')).step).toBeGreaterThan(0);
    expect(isAlive(record.pid)).toBe(false);
    for (const pid of workers) expect(isAlive(pid)).toBe(false);
    const again = await sandbox.cli(['stop', run.id]);
    expect(again).toMatchObject({ code: 0 });
    expect(again.stdout).toContain('had already ended (stopped)');
  });

  it('stop kills the whole tree with SIGKILL when the script ignores SIGINT past the timeout', async () => {
    const stubborn = sandbox.write(
      'stubborn.py',
      'import os, signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nif os.fork() == 0:\n    os.setsid()\n    signal.signal(signal.SIGTERM, signal.SIG_IGN)\nprint("up", flush=True)\nwhile True:\n    time.sleep(1)\n',
    );
    const run = await startRun(sandbox, [stubborn]);
    await waitFor('the script to print', () => readFileSync(path.join(run.dir, 'stdout.log'), 'utf8').includes('up\nup'));
    const pid = sandbox.record(run.id).pid;
    const stop = await sandbox.cli(['stop', run.id, '--timeout', '500ms']);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain('killed after the grace period');
    expect(sandbox.record(run.id).status).toMatchObject({ state: 'stopped', signal: 'SIGKILL' });
    expect(isAlive(pid)).toBe(false);
    const { findRunProcesses } = await import('../../src/process/index.js');
    expect(findRunProcesses(run.id).filter((p) => p.pid !== sandbox.record(run.id).runner?.pid && isAlive(p.pid))).toEqual([]);
  });

  it('records a failing script as failed with its exit code, and show prints the end of its stderr', async () => {
    const run = await startRun(sandbox, [EXAMPLE, '--name', 'diverges', '--', '--steps', '100000', '--step-time', '0', '--fail-at', '4096']);
    await waitFor('the run to fail', () => sandbox.record(run.id).status.state === 'failed');
    expect(sandbox.record(run.id).status).toMatchObject({ state: 'failed', exitCode: 1, reason: 'exit code 1' });
    const show = await sandbox.cli(['show', 'diverges']);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/status\s+failed \(exit code 1\)/);
    expect(show.stdout).toContain('error: diverged at step 4096');
    const json = await cliJson(sandbox, ['show', 'diverges', '--json']);
    expect(json).toMatchObject({ id: run.id, dir: run.dir, status: { state: 'failed', exitCode: 1 } });
  });

  it('restart starts a new run with the same script, args, env and tags', async () => {
    const old = await startRun(sandbox, [EXAMPLE, '--name', 'again', '--tag', 'x', '--env', 'K=v', '--', '--steps', '2048', '--step-time', '0']);
    await waitFor('the first run to end', () => sandbox.record(old.id).status.state === 'succeeded');
    const result = await sandbox.cli(['restart', 'again', '--json']);
    expect(result.code).toBe(0);
    const fresh = JSON.parse(result.stdout);
    expect(fresh.id).not.toBe(old.id);
    expect(fresh.restartOf).toBe(old.id);
    await waitFor('the restart to end', () => sandbox.record(fresh.id).status.state === 'succeeded');
    const [a, b] = [sandbox.record(old.id), sandbox.record(fresh.id)];
    expect(b).toMatchObject({ name: a.name, script: a.script, args: a.args, cwd: a.cwd, env: a.env, tags: a.tags, restartOf: old.id });
  });

  it('restart -- ARGS appends ARGS after the original arguments, so the last --lr wins, and records them', async () => {
    const script = sandbox.write('argv.py', 'import sys\nprint(" ".join(sys.argv[1:]))\n');
    const old = await startRun(sandbox, [script, '--name', 'override', '--', '--lr', '3e-4', '--seed', '1']);
    await waitFor('the first run to end', () => sandbox.record(old.id).status.state === 'succeeded');
    const result = await sandbox.cli(['restart', old.id, '--json', '--', '--lr', '1e-4']);
    expect(result.code).toBe(0);
    const fresh = JSON.parse(result.stdout);
    await waitFor('the restart to end', () => sandbox.record(fresh.id).status.state === 'succeeded');
    expect(readFileSync(path.join(fresh.dir, 'stdout.log'), 'utf8')).toBe('--lr 3e-4 --seed 1 --lr 1e-4\n');
    expect(sandbox.record(fresh.id)).toMatchObject({
      args: ['--lr', '3e-4', '--seed', '1', '--lr', '1e-4'],
      restartOf: old.id,
      restartArgs: ['--lr', '1e-4'],
    });
    expect(sandbox.record(old.id).args).toEqual(['--lr', '3e-4', '--seed', '1']);
    const shown = await sandbox.cli(['restart', old.id, '--', '--seed', '2']);
    expect(shown.stdout).toContain(`(restart of ${old.id}, with added arguments: --seed 2)`);
  });

  it('ls lists newest first with filters, and --json gives the records with their dir', async () => {
    const all = await cliJson(sandbox, ['ls', '--json']);
    expect(all.length).toBeGreaterThanOrEqual(6);
    const created = all.map((r: { createdAt: string }) => r.createdAt);
    expect(created).toEqual([...created].sort().reverse());
    const failed = await cliJson(sandbox, ['ls', '--json', '--status', 'failed']);
    expect(failed.map((r: { name: string }) => r.name)).toEqual(['diverges']);
    const tagged = await cliJson(sandbox, ['ls', '--json', '--tag', 'a', '--tag', 'b']);
    expect(tagged).toHaveLength(1);
    expect(tagged[0].dir).toBe(path.join(sandbox.runsDir, tagged[0].id));
    const limited = await cliJson(sandbox, ['ls', '--json', '--limit', '2']);
    expect(limited.map((r: { id: string }) => r.id)).toEqual(all.slice(0, 2).map((r: { id: string }) => r.id));
    const table = await sandbox.cli(['ls', '--name', 'diverges']);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+STATUS\s+STARTED\s+DURATION\s+EXIT\s+TAGS$/);
    expect(table.stdout).toMatch(/diverges-\S+\s+failed\s+(just now|\S+ ago)\s+\S+\s+1\n/);
  });
});
