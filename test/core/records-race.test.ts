import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI, EXAMPLE, type Sandbox, createSandbox, isAlive, startRun, waitFor } from '../helpers/sandbox.js';
import { collectOutput } from '../support/processes.mjs';
import { withRunId } from '../clean/procs.js';

/** A script that runs until the file named by its first argument exists. */
const WAITER = 'import os, sys, time\nprint("ready", flush=True)\nwhile not os.path.exists(sys.argv[1]):\n    time.sleep(0.05)\nprint("released")\n';

describe('a live run against readers and cleaners (issue 9, items 5 and 6)', () => {
  let sandbox: Sandbox;
  beforeEach(() => {
    sandbox = createSandbox();
  });
  afterEach(() => sandbox.cleanup());

  it("a reader that saw running and then found the runner gone does not overwrite the end the runner wrote in between", async () => {
    const release = path.join(sandbox.dir, 'release');
    const run = await startRun(sandbox, [sandbox.write('wait.py', WAITER), '--name', 'race', '--', release]);
    await waitFor('the run to be running', () => sandbox.record(run.id).status.state === 'running');
    const runner = sandbox.record(run.id).runner.pid as number;

    // `ls` reads the record (running, runner alive) and is held there, by the test-only pause point
    // between its read and its look at the processes.
    const hold = path.join(sandbox.dir, 'hold');
    mkdirSync(hold);
    const reader = spawn(process.execPath, [CLI, 'ls', '--json'], { cwd: sandbox.dir, env: { ...sandbox.env, RL_RUN_TEST_HOLD: hold }, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = collectOutput(reader);
    await waitFor('ls to have read the record', () => readdirSync(hold).some((f) => f.startsWith('after-read.')));

    // Meanwhile the real runner records the end and exits.
    writeFileSync(release, '');
    await waitFor('the runner to record the end', () => sandbox.record(run.id).status.state === 'succeeded');
    await waitFor('the runner to exit', () => !isAlive(runner));
    const end = readFileSync(path.join(run.dir, 'run.json'), 'utf8');

    // Now the reader goes on: it finds the runner gone, and would call the run lost.
    writeFileSync(path.join(hold, 'after-read.go'), '');
    const { code, stdout } = await output;
    expect(code).toBe(0);
    expect(readFileSync(path.join(run.dir, 'run.json'), 'utf8')).toBe(end);
    expect((JSON.parse(stdout) as { id: string; status: { state: string } }[]).map((r) => `${r.id} ${r.status.state}`)).toEqual([`${run.id} succeeded`]);
  });

  it('clean --orphaned leaves a healthy run alone when its folder was moved away, and the run records its end in the moved folder', async () => {
    const release = path.join(sandbox.dir, 'release');
    const run = await startRun(sandbox, [sandbox.write('wait.py', WAITER), '--name', 'moved', '--', release]);
    await waitFor('the run to be running', () => sandbox.record(run.id).status.state === 'running');
    // Once it printed, any interpreter shim has exec'd: the processes are the runner and the script.
    await waitFor('the script to print', () => readFileSync(path.join(run.dir, 'stdout.log'), 'utf8').includes('ready'));
    await waitFor('the runner and the script', () => withRunId(run.id).length === 2);
    const processes = withRunId(run.id);

    const moved = path.join(sandbox.dir, 'moved-away');
    renameSync(run.dir, moved);
    const dry = await sandbox.cli(['clean', '--orphaned', '--dry-run', '--json']);

    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout) as { actions: { kind: string }[] };
    expect(plan.actions.filter((a) => a.kind === 'kill')).toEqual([]);
    const done = await sandbox.cli(['clean', '--orphaned', '--yes', '--timeout', '1s']);
    expect(done.code, done.stderr).toBe(0);
    expect(processes.filter((pid) => !isAlive(pid))).toEqual([]);

    // The runner holds its directory open: the end goes into it, wherever it now is.
    writeFileSync(release, '');
    await waitFor('the run to end in the moved folder', () => JSON.parse(readFileSync(path.join(moved, 'run.json'), 'utf8')).status.state === 'succeeded');
    expect(readFileSync(path.join(moved, 'stdout.log'), 'utf8')).toContain('released');
    expect(existsSync(run.dir)).toBe(false);
  });

  it('clean --orphaned kills nothing while the runs directory itself is away (unmounted, stale), and tidies once it is back', async () => {
    const run = await startRun(sandbox, [EXAMPLE, '--name', 'away', '--', '--workers', '2', '--steps', '100000000', '--step-time', '0.05']);
    await waitFor('the script to have printed', () => existsSync(path.join(run.dir, 'stdout.log')) && readFileSync(path.join(run.dir, 'stdout.log'), 'utf8').includes('global_step'));
    await waitFor('runner, script and 2 workers', () => withRunId(run.id).length === 4);
    const record = sandbox.record(run.id);
    // Runner and script die for real; the workers they forked live on: debris, once it can be seen.
    process.kill(record.runner.pid, 'SIGKILL');
    process.kill(record.pid, 'SIGKILL');
    await waitFor('runner and script gone', () => !isAlive(record.runner.pid) && !isAlive(record.pid));
    const workers = withRunId(run.id);
    expect(workers).toHaveLength(2);

    const away = `${sandbox.runsDir}.away`;
    renameSync(sandbox.runsDir, away);
    const dry = await sandbox.cli(['clean', '--orphaned', '--yes', '--timeout', '1s']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(workers.filter((pid) => !isAlive(pid))).toEqual([]);

    // Back in place, the run is seen for what it is: lost, its workers left over.
    renameSync(away, sandbox.runsDir);
    const back = await sandbox.cli(['clean', '--orphaned', '--dry-run', '--json']);
    const kills = (JSON.parse(back.stdout) as { actions: { kind: string; pid?: number; reason: string }[] }).actions.filter((a) => a.kind === 'kill');
    expect(kills.map((a) => `${a.pid} ${a.reason}`).sort()).toEqual(workers.map((pid) => `${pid} still running, its run is lost`).sort());
  });
});
