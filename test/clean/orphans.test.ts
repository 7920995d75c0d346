import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, ROOT, type Sandbox, createSandbox, isAlive, startRun, waitFor } from '../helpers/sandbox.js';
import { withRunId } from './procs.js';
import { hashTree } from './tree.js';

const PM2_CLI = path.join(ROOT, 'node_modules', 'pm2', 'bin', 'pm2');

function backdate(target: string, minutes: number): void {
  const when = new Date(Date.now() - minutes * 60_000);
  for (const name of readdirSync(target)) utimesSync(path.join(target, name), when, when);
  utimesSync(target, when, when);
}

/** Each of the five kinds of debris, made for real, then tidied by `clean --orphaned`. */
describe('clean --orphaned', () => {
  let sandbox: Sandbox;
  const pm2 = (...args: string[]) => execFileSync(process.execPath, [PM2_CLI, ...args], { env: sandbox.env, encoding: 'utf8' });
  // jlist may print pm2's own notices before the JSON line.
  const jlist = () => JSON.parse(pm2('jlist').split('\n').find((line) => line.startsWith('[')) ?? '[]');
  const pm2Names = () => (jlist() as { name: string; pm2_env: { status: string } }[]).map((p) => `${p.name}:${p.pm2_env.status}`);
  beforeAll(() => {
    sandbox = createSandbox();
  });
  afterAll(() => sandbox.cleanup());

  it('finds each kind with its reason, changes no byte on --dry-run, then removes or repairs them all', async () => {
    const quick = sandbox.write('quick.py', 'print("quick run output")\n');

    // 1. pm2 entries: a run that ended, and a run whose directory was deleted by hand.
    const ended = await startRun(sandbox, [quick, '--name', 'ended']);
    const vanished = await startRun(sandbox, [quick, '--name', 'vanished']);
    await waitFor('both runs to end', () => [ended, vanished].every((r) => sandbox.record(r.id).status.state === 'succeeded'));
    await waitFor('pm2 to see both exit', () => pm2Names().filter((n) => n.endsWith(':stopped')).length === 2);
    execFileSync('rm', ['-rf', vanished.dir]);

    // 2. pm2's own log files of an rl-run name it no longer lists.
    const stray = 'rlrun-stray-20250101-000000-aaaaaa';
    pm2('start', quick, '--name', stray, '--namespace', 'rl-run', '--interpreter', 'python3', '--no-autorestart');
    await waitFor('the stray process to write its log', () => existsSync(path.join(sandbox.pm2Home, 'logs', `${stray}-out.log`)) && pm2Names().includes(`${stray}:stopped`));
    pm2('delete', stray);
    const strayLogs = readdirSync(path.join(sandbox.pm2Home, 'logs')).filter((f) => f.startsWith(stray));
    expect(strayLogs.length).toBeGreaterThan(0);

    // 3. Directories without a readable run.json: a truncated record, an interrupted start; and a
    // fresh empty one that may be a start in progress.
    const truncated = await startRun(sandbox, [quick, '--name', 'truncated']);
    await waitFor('the run to end', () => sandbox.record(truncated.id).status.state === 'succeeded');
    // pm2 appends the runner's last line to runner.log as the runner exits; wait for that, or the
    // append lands after the backdating below and the directory looks young again.
    await waitFor('pm2 to see it exit', () => pm2Names().includes(`${truncated.pm2Name}:stopped`));
    const recordText = readFileSync(path.join(truncated.dir, 'run.json'), 'utf8');
    writeFileSync(path.join(truncated.dir, 'run.json'), recordText.slice(0, 100));
    backdate(truncated.dir, 10);
    const interrupted = path.join(sandbox.runsDir, 'crashed-20250101-000000-zzzzzz');
    mkdirSync(interrupted);
    backdate(interrupted, 10);
    const inProgress = path.join(sandbox.runsDir, 'starting-20250101-000000-yyyyyy');
    mkdirSync(inProgress);

    // 4 and 5. A run whose runner and script were killed with SIGKILL: the record still says running,
    // and the environment workers it forked live on, holding their memory.
    const workers = await startRun(sandbox, [EXAMPLE, '--name', 'workers', '--', '--workers', '3', '--steps', '100000000', '--step-time', '0.05']);
    // The script prints once its workers are forked (and after any interpreter shim has exec'd).
    await waitFor('the script to have printed', () => readFileSync(path.join(workers.dir, 'stdout.log'), 'utf8').includes('global_step'));
    await waitFor('the script and its 3 workers', () => withRunId(workers.id).length === 5);
    const record = sandbox.record(workers.id);
    process.kill(record.runner.pid, 'SIGKILL');
    process.kill(record.pid, 'SIGKILL');
    await waitFor('runner and script gone', () => !isAlive(record.runner.pid) && !isAlive(record.pid));
    const orphans = withRunId(workers.id);
    expect(orphans).toHaveLength(3);
    const workerLog = readFileSync(path.join(workers.dir, 'stdout.log'), 'utf8');
    expect(sandbox.record(workers.id).status.state).toBe('running');

    const before = hashTree(sandbox.runsDir);
    const dry = await sandbox.cli(['clean', '--orphaned', '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    const plan = JSON.parse(dry.stdout) as { actions: { kind: string; reason: string; [key: string]: unknown }[] };
    const summary = plan.actions.map((a) => `${a.kind} ${a.id ?? a.pm2Name ?? (a.file ? path.basename(String(a.file)) : a.runId)}: ${a.reason}`).sort();
    expect(summary).toEqual(
      [
        `kill ${workers.id}: still running, its run is lost`,
        `kill ${workers.id}: still running, its run is lost`,
        `kill ${workers.id}: still running, its run is lost`,
        `mark-lost ${workers.id}: says running; its process is gone and nothing recorded how it ended (pm2 kill, a reboot, or kill -9 of the runner)`,
        `pm2-delete ${ended.pm2Name}: its run is succeeded`,
        `pm2-delete ${vanished.pm2Name}: its run directory is gone`,
        `pm2-delete ${workers.pm2Name}: its run is lost`,
        ...strayLogs.map((f) => `remove-log ${f}: pm2 no longer lists ${stray}`),
        `trash ${truncated.id}: damaged: run.json is not valid JSON (truncated?)`,
        `pm2-delete ${truncated.pm2Name}: its run directory goes to the trash`,
        'trash crashed-20250101-000000-zzzzzz: damaged: no run.json',
      ].sort(),
    );
    expect(hashTree(sandbox.runsDir)).toBe(before);
    expect(withRunId(workers.id)).toHaveLength(3);

    const noTty = await sandbox.cli(['clean', '--orphaned']);
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toContain('--yes');
    expect(hashTree(sandbox.runsDir)).toBe(before);

    const done = await sandbox.cli(['clean', '--orphaned', '--yes', '--timeout', '3s']);
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('ended 3 left-over processes');

    expect(withRunId(workers.id)).toEqual([]);
    expect(pm2Names()).toEqual([]);
    expect(readdirSync(path.join(sandbox.pm2Home, 'logs')).filter((f) => f.startsWith('rlrun-'))).toEqual([]);
    const after = sandbox.record(workers.id);
    expect(after.status.state).toBe('lost');
    expect(readFileSync(path.join(workers.dir, 'stdout.log'), 'utf8')).toBe(workerLog);
    expect(existsSync(interrupted)).toBe(false);
    expect(existsSync(path.join(sandbox.runsDir, '.trash', 'crashed-20250101-000000-zzzzzz'))).toBe(true);
    expect(readFileSync(path.join(sandbox.runsDir, '.trash', truncated.id, 'run.json'), 'utf8')).toBe(recordText.slice(0, 100));
    expect(existsSync(inProgress)).toBe(true);
    expect(existsSync(ended.dir)).toBe(true);

    const again = await sandbox.cli(['clean', '--orphaned', '--yes']);
    expect(again.stdout.trim().split('\n').at(-1)).toBe('nothing to clean');
  });

  it('a run whose directory is deleted while it runs: its processes end and its pm2 entry goes, in one pass', async () => {
    const run = await startRun(sandbox, [EXAMPLE, '--name', 'deleted', '--', '--workers', '2', '--steps', '100000000', '--step-time', '0.05']);
    await waitFor('the script to have printed', () => readFileSync(path.join(run.dir, 'stdout.log'), 'utf8').includes('global_step'));
    // the runner, the script and its 2 workers
    await waitFor('all four processes', () => withRunId(run.id).length === 4);
    execFileSync('rm', ['-rf', run.dir]);
    expect(pm2Names()).toEqual([`${run.pm2Name}:online`]);

    const dry = await sandbox.cli(['clean', '--orphaned', '--dry-run', '--json']);
    const plan = JSON.parse(dry.stdout) as { actions: { kind: string; reason: string; pm2Name?: string }[] };
    expect(plan.actions.filter((a) => a.kind === 'kill')).toHaveLength(4);
    expect(plan.actions.filter((a) => a.kind === 'pm2-delete')).toEqual([
      { kind: 'pm2-delete', pm2Name: run.pm2Name, reason: 'its run directory is gone (its processes are ended first)' },
    ]);

    const done = await sandbox.cli(['clean', '--orphaned', '--yes', '--timeout', '3s']);
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('deleted 1 pm2 entry; ended 4 left-over processes');
    expect(withRunId(run.id)).toEqual([]);
    expect(pm2Names()).toEqual([]);
    const again = await sandbox.cli(['clean', '--orphaned', '--yes']);
    expect(again.stdout.trim().split('\n').at(-1)).toBe('nothing to clean');
  });
});
