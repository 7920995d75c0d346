import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, type Sandbox, cliJson, createSandbox, isAlive, killByPm2Home, pm2, startRun, waitFor } from '../helpers/sandbox.js';

describe('restarts, parallel starts and lost runs', () => {
  let sandbox: Sandbox;
  beforeAll(() => {
    sandbox = createSandbox();
  });
  afterAll(() => sandbox.cleanup());

  it('the restart policy starts a failing script again inside the same run, with a separator in its logs', async () => {
    const project = path.join(sandbox.dir, 'flaky');
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(project);
    writeFileSync(path.join(project, 'runs.config.json'), JSON.stringify({ runsDir: '../runs', restart: { maxRestarts: 2, delayMs: 0 } }));
    const script = sandbox.write('flaky.py', 'import os, sys\nprint("attempt", os.getpid())\nsys.exit(3)\n');
    const result = await sandbox.cli(['start', '--json', script], { cwd: project });
    const run = JSON.parse(result.stdout);
    const record = await waitFor('all attempts to fail', () => {
      const r = sandbox.record(run.id);
      return r.status.state === 'failed' && r;
    });
    expect(record.status).toMatchObject({ exitCode: 3, reason: 'exit code 3' });
    expect(record.attempts).toHaveLength(3);
    expect(record.attempts.every((a: { exitCode: number }) => a.exitCode === 3)).toBe(true);
    const stdout = readFileSync(path.join(run.dir, 'stdout.log'), 'utf8');
    expect(stdout.match(/^attempt \d+$/gm)).toHaveLength(3);
    expect(stdout).toMatch(/──── rl-run: attempt 2 of 3 started .* \(previous attempt: exit code 3\) ────/);
    expect(stdout).toMatch(/──── rl-run: attempt 3 of 3 started/);
    const listed = await cliJson(sandbox, ['ls', '--json', '--limit', '1']);
    expect(listed[0].id).toBe(run.id);
  });

  it('20 parallel starts with no pm2 daemon running give 20 distinct runs under one daemon', async () => {
    await killByPm2Home(sandbox.pm2Home);
    const script = sandbox.write('quick.py', 'print("ok")\n');
    const results = await Promise.all(Array.from({ length: 20 }, () => sandbox.cli(['start', '--json', script, '--name', 'sweep'])));
    for (const result of results) expect(result).toMatchObject({ code: 0 });
    const ids = results.map((result) => JSON.parse(result.stdout).id);
    expect(new Set(ids).size).toBe(20);
    await waitFor('all 20 to succeed', () => ids.every((id) => sandbox.record(id).status.state === 'succeeded'));
    for (const id of ids) expect(readFileSync(path.join(sandbox.runsDir, id, 'stdout.log'), 'utf8')).toBe('ok\n');
    const daemons = pm2(sandbox, 'ping');
    expect(daemons).toContain('pong');
    const { readdirSync } = await import('node:fs');
    const godPids = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('God Daemon') && readFileSync(`/proc/${p}/environ`, 'latin1').includes(`PM2_HOME=${sandbox.pm2Home}\0`);
      } catch {
        return false;
      }
    });
    expect(godPids).toHaveLength(1);
  });

  it('pm2 kill while a run is running: the record reads as lost, its logs stay, the next start works', async () => {
    const run = await startRun(sandbox, [EXAMPLE, '--name', 'victim', '--', '--steps', '100000000', '--step-time', '0.05']);
    await waitFor('output', () => readFileSync(path.join(run.dir, 'stdout.log'), 'utf8').includes('global_step='));
    const { runner, pid } = sandbox.record(run.id);
    process.kill(runner.pid, 'SIGKILL');
    process.kill(pid, 'SIGKILL');
    await waitFor('the processes to go', () => !isAlive(runner.pid) && !isAlive(pid));
    const shown = await cliJson(sandbox, ['show', run.id, '--json']);
    expect(shown.status).toMatchObject({ state: 'lost', reason: expect.stringContaining('nothing recorded how it ended') });
    // Repaired on disk, not just shown.
    expect(sandbox.record(run.id).status.state).toBe('lost');
    expect(readFileSync(path.join(run.dir, 'stdout.log'), 'utf8')).toContain('training with learning rate');
    const stop = await sandbox.cli(['stop', run.id]);
    expect(stop).toMatchObject({ code: 0, stdout: expect.stringContaining('had already ended (lost)') });

    const survivor = await startRun(sandbox, [EXAMPLE, '--', '--steps', '100000000', '--step-time', '0.05']);
    await waitFor('output', () => readFileSync(path.join(survivor.dir, 'stdout.log'), 'utf8').includes('global_step='));
    pm2(sandbox, 'kill');
    const after = await waitFor('the run to be seen as ended', async () => {
      const record = await cliJson(sandbox, ['show', survivor.id, '--json']);
      return ['lost', 'failed'].includes(record.status.state) && record;
    });
    expect(after.status.state === 'lost' || after.status.signal).toBeTruthy();
    const next = await startRun(sandbox, [sandbox.write('after.py', 'print("still works")\n')]);
    await waitFor('the next run to succeed', () => sandbox.record(next.id).status.state === 'succeeded');
  });
});
