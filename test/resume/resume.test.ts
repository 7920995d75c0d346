import { lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { killWhere, processesWith } from '../support/processes.mjs';
import { ROOT, type Sandbox, createSandbox, isAlive, pm2, processesWithPm2Home, startRun, waitFor } from '../helpers/sandbox.js';

const CKPT = path.join(ROOT, 'examples', 'ckpt_train.py');
const RESUME_FLAGS = ['--resume-checkpoint', 'checkpoints/*.pt', '--resume-args=--resume {checkpoint}'];
const SEPARATOR = /──── rl-run: attempt (\d+), resumed from (checkpoints\/step_\d+\.pt) ────/g;

let sandbox: Sandbox;
beforeEach(() => {
  sandbox = createSandbox('rl-run-resume-');
});
afterEach(() => sandbox.cleanup());

const stdoutOf = (dir: string) => readFileSync(path.join(dir, 'stdout.log'), 'utf8');
/** Steps of the `step=K` lines, in log order. */
const loggedSteps = (dir: string) => [...stdoutOf(dir).matchAll(/^step=(\d+) /gm)].map((m) => Number(m[1]));
const lastStep = (dir: string) => loggedSteps(dir).at(-1) ?? 0;

/** The newest file of checkpoints/*.pt by modification time, relative to the run directory. */
function newestCheckpoint(dir: string): string | null {
  const folder = path.join(dir, 'checkpoints');
  const files = readdirSync(folder)
    .filter((f) => f.endsWith('.pt'))
    .map((f) => ({ f, mtime: statSync(path.join(folder, f)).mtimeMs }));
  files.sort((a, b) => b.mtime - a.mtime || (a.f < b.f ? 1 : -1));
  return files[0] ? `checkpoints/${files[0].f}` : null;
}

async function ended(id: string): Promise<Record<string, any>> {
  return waitFor(`${id} to end`, () => {
    const record = sandbox.record(id);
    return ['succeeded', 'failed', 'stopped', 'lost'].includes(record.status.state) ? record : null;
  }, 40_000);
}

async function metricsOf(id: string): Promise<{ count: number; lastStep: number }> {
  const result = await sandbox.cli(['metrics', id, '--json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout).metrics.find((m: { name: string }) => m.name === 'loss');
}

describe('rl-run resume', () => {
  it('start, stop, resume, kill -9, resume: one id, three attempts with separators, one curve without duplicate steps', async () => {
    const run = await startRun(sandbox, [CKPT, '--name', 'long', ...RESUME_FLAGS, '--', '--steps', '100000', '--step-time', '0.01', '--ckpt-every', '10']);
    await waitFor('a few checkpoints', () => lastStep(run.dir) > 25);
    expect((await sandbox.cli(['stop', run.id])).code).toBe(0);

    const resumed = await sandbox.cli(['resume', run.id]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(new RegExp(`^resumed ${run.id} as attempt 2, from checkpoints/step_\\d+\\.pt`));
    // Well past a checkpoint, so that the next resume repeats steps the log already has.
    await waitFor('attempt 2 past a checkpoint', () => {
      const step = lastStep(run.dir);
      return sandbox.record(run.id).attempts.length === 2 && step > 60 && step % 10 >= 4 && step % 10 <= 8;
    });
    const script = sandbox.record(run.id).pid as number;
    process.kill(script, 'SIGKILL');
    expect((await ended(run.id)).status.state).toBe('failed');
    expect((await sandbox.cli(['resume', run.id])).code).toBe(0);
    await waitFor('attempt 3 to log a few steps', () => sandbox.record(run.id).attempts.length === 3 && (stdoutOf(run.dir).split('resumed from step').length === 3) && lastStep(run.dir) > 80);
    expect((await sandbox.cli(['stop', run.id])).code).toBe(0);

    const record = sandbox.record(run.id);
    expect(record.id).toBe(run.id);
    expect(record.status.state).toBe('stopped');
    expect(record.attempts).toHaveLength(3);
    expect(record.attempts[0].checkpoint).toBeUndefined();
    const separators = [...stdoutOf(run.dir).matchAll(SEPARATOR)];
    expect(separators.map((m) => Number(m[1]))).toEqual([2, 3]);
    // Each attempt names the checkpoint it resumed from: the one the separator shows, the newest at the time.
    expect(record.attempts[1].checkpoint).toBe(path.join(run.dir, separators[0]![2]!));
    expect(record.attempts[2].checkpoint).toBe(path.join(run.dir, separators[1]![2]!));
    expect(readFileSync(path.join(run.dir, 'stderr.log'), 'utf8')).toMatch(SEPARATOR);

    // The log repeats the steps after attempt 2's last checkpoint; the curve does not.
    const steps = loggedSteps(run.dir);
    expect(new Set(steps).size).toBeLessThan(steps.length);
    const loss = await metricsOf(run.id);
    const last = Math.max(...steps);
    expect(loss.lastStep).toBe(steps.at(-1));
    expect(loss.count).toBe(loss.lastStep);
    expect(loss.count).toBeLessThanOrEqual(last);

    // logs shows the attempts in order, each after its separator.
    const logs = await sandbox.cli(['logs', run.id, '-n', '100000']);
    const at2 = logs.stdout.indexOf('attempt 2, resumed');
    const at3 = logs.stdout.indexOf('attempt 3, resumed');
    expect(at2).toBeGreaterThan(0);
    expect(at3).toBeGreaterThan(at2);

    const show = await sandbox.cli(['show', run.id]);
    expect(show.stdout).toMatch(/#\s+STARTED\s+ENDED\s+EXIT\s+FROM/);
    expect(show.stdout).toMatch(/\n {2}3 .* checkpoints\/step_\d+\.pt\n/);
  });

  it('refuses a running run and a queued one with one line and exit 2, and --require-checkpoint without one; nothing changes', async () => {
    const run = await startRun(sandbox, [CKPT, '--name', 'live', '--', '--steps', '100000', '--step-time', '0.01']);
    const before = readFileSync(path.join(run.dir, 'run.json'), 'utf8');
    const refused = await sandbox.cli(['resume', run.id]);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain(`run ${run.id} is running: only an ended run can be resumed; 'rl-run stop ${run.id}' first`);
    expect(readFileSync(path.join(run.dir, 'run.json'), 'utf8')).toBe(before);
    expect((await sandbox.cli(['stop', run.id])).code).toBe(0);

    // No resume settings, so no checkpoint: refused, and still stopped.
    const stopped = readFileSync(path.join(run.dir, 'run.json'), 'utf8');
    const required = await sandbox.cli(['resume', run.id, '--require-checkpoint']);
    expect(required.code).toBe(2);
    expect(required.stderr).toMatch(/cannot resume .* from a checkpoint: the run has no resume settings/);
    expect(readFileSync(path.join(run.dir, 'run.json'), 'utf8')).toBe(stopped);
    // Without the flag it starts from scratch as attempt 2, and says so.
    const scratch = await sandbox.cli(['resume', run.id]);
    expect(scratch.stdout).toContain(`resumed ${run.id} as attempt 2, from scratch: the run has no resume settings`);
    expect(stdoutOf(run.dir)).toContain('──── rl-run: attempt 2, started from scratch (no resume configured) ────');
    expect((await sandbox.cli(['stop', run.id])).code).toBe(0);

    const queued = writeQueued(sandbox, sandbox.record(run.id));
    const refusedQueued = await sandbox.cli(['resume', queued]);
    expect(refusedQueued.code).toBe(2);
    expect(refusedQueued.stderr).toContain(`run ${queued} is queued: the queue starts it; nothing to resume`);
    expect(sandbox.record(queued).status.state).toBe('queued');
  });
});

describe('start --resume-checkpoint/--resume-args', () => {
  it.each([
    [['--resume-checkpoint', '../elsewhere/*.pt', '--resume-args=--resume {checkpoint}'], /^rl-run: --resume-checkpoint: "\.\.\/elsewhere\/\*\.pt" leaves the run directory/],
    [['--resume-checkpoint', 'c/*.pt'], /--resume-checkpoint needs --resume-args too/],
    [['--resume-checkpoint', 'c/*.pt', '--resume-args', '--resume {checkpoint}'], /--resume-args takes a value that starts with a dash only after '=': --resume-args='--resume \{checkpoint\}'/],
  ])('%j: one line, exit 2, no run made', async (flags, message) => {
    const result = await sandbox.cli(['start', CKPT, ...flags]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(() => readdirSync(sandbox.runsDir)).toThrow();
  });
});

describe('automatic resume', () => {
  const config = (restart: object) =>
    sandbox.write('runs.config.json', JSON.stringify({ restart, resume: { checkpoint: 'checkpoints/*.pt', args: ['--resume', '{checkpoint}'] } }));

  it('a crash with maxRestarts 3 resumes from the newest checkpoint and finishes the curve', async () => {
    config({ maxRestarts: 3, delayMs: 100 });
    const run = await startRun(sandbox, [CKPT, '--', '--steps', '40', '--step-time', '0.01', '--ckpt-every', '10', '--crash-once-at', '25']);
    const record = await ended(run.id);
    expect(record.status.state).toBe('succeeded');
    expect(record.attempts).toHaveLength(2);
    expect(record.attempts[0].exitCode).toBe(1);
    expect(record.attempts[1].checkpoint).toBe(path.join(run.dir, 'checkpoints', 'step_00000020.pt'));
    expect(stdoutOf(run.dir)).toContain('──── rl-run: attempt 2, resumed from checkpoints/step_00000020.pt ────');
    expect(stdoutOf(run.dir)).toContain('resumed from step 20');
    const loss = await metricsOf(run.id);
    expect(loss).toMatchObject({ count: 40, lastStep: 40 });
  });

  it('a crash loop that saves no checkpoint and logs no step stops after 3 attempts, saying why', async () => {
    config({ maxRestarts: 10, delayMs: 50 });
    const run = await startRun(sandbox, [CKPT, '--', '--crash-at-start']);
    const record = await ended(run.id);
    expect(record.status.state).toBe('failed');
    expect(record.status.reason).toMatch(/^crash loop: 3 attempts in a row saved no new checkpoint and logged no new metric step/);
    expect(record.attempts).toHaveLength(3);
  });
});

/** A run waiting in rl-run's queue, written as the queue writes one (state `queued`, never started). */
function writeQueued(box: Sandbox, like: Record<string, any>): string {
  const id = like.id.replace(/^[^-]+/, 'waiting');
  const { pid: _pid, runner: _runner, pidStartTime: _start, startedAt: _started, ...rest } = like;
  mkdirSync(path.join(box.runsDir, id), { mode: 0o700 });
  const record = { ...rest, id, name: 'waiting', status: { state: 'queued', reason: 'waiting for a slot' }, attempts: [] };
  writeFileSync(path.join(box.runsDir, id, 'run.json'), JSON.stringify(record, null, 2), { mode: 0o600 });
  return id;
}

describe('rl-run resurrect after a simulated reboot', () => {
  it('pm2 kill and kill -9 of every process: the 3 running runs come back from their newest checkpoints; stopped, killed-by-hand and queued runs stay', async () => {
    const args = (name: string) => [CKPT, '--name', name, ...RESUME_FLAGS, '--', '--steps', '100000', '--step-time', '0.01', '--ckpt-every', '7'];
    const running: Awaited<ReturnType<typeof startRun>>[] = [];
    for (const name of ['alpha', 'beta', 'gamma']) running.push(await startRun(sandbox, args(name)));
    const stopped = await startRun(sandbox, args('stopped'));
    const byHand = await startRun(sandbox, args('byhand'));
    await waitFor('checkpoints in every run', () => [...running, stopped, byHand].every((run) => lastStep(run.dir) > 20));
    expect((await sandbox.cli(['stop', stopped.id])).code).toBe(0);
    // A user's own kill of the runner: a failure from outside, not a machine going down.
    process.kill(sandbox.record(byHand.id).runner.pid, 'SIGTERM');
    expect((await ended(byHand.id)).status.state).toBe('failed');
    const queued = writeQueued(sandbox, sandbox.record(stopped.id));

    // The reboot: one run's processes die at once (nothing records its end), then pm2 goes down, then
    // everything still carrying the sandbox's PM2_HOME gets SIGKILL.
    const alpha = running[0]!;
    for (const pid of processesWith(`RL_RUN_ID=${alpha.id}\0`)) process.kill(pid, 'SIGKILL');
    await waitFor('alpha gone', () => !isAlive(sandbox.record(alpha.id).runner.pid) && !isAlive(sandbox.record(alpha.id).pid));
    pm2(sandbox, 'kill');
    await killWhere(`PM2_HOME=${sandbox.pm2Home}\0`);
    expect(processesWithPm2Home(sandbox.pm2Home)).toEqual([]);
    expect(sandbox.record(running[1]!.id).attempts[0].endCause).toBe('supervisor-down');
    expect(sandbox.record(byHand.id).attempts[0].endCause).toBeUndefined();

    const untouched = [stopped.id, byHand.id, queued].map((id) => readFileSync(path.join(sandbox.runsDir, id, 'run.json'), 'utf8'));
    const dry = await sandbox.cli(['resurrect', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout.match(/^would resume /gm)).toHaveLength(3);
    for (const run of running) expect(sandbox.record(run.id).attempts).toHaveLength(1);

    const newest = running.map((run) => newestCheckpoint(run.dir));
    const result = await sandbox.cli(['resurrect']);
    expect(result.code, result.stderr).toBe(0);
    running.forEach((run, i) => {
      expect(result.stdout).toContain(`resumed ${run.id} as attempt 2, from ${newest[i]}`);
      const record = sandbox.record(run.id);
      expect(record.status.state).toBe('running');
      expect(record.attempts).toHaveLength(2);
      expect(record.attempts[1].checkpoint).toBe(path.join(run.dir, newest[i]!));
    });
    expect(result.stdout).toContain(`left alone ${stopped.id}: stopped by the user`);
    expect(result.stdout).toMatch(new RegExp(`left alone ${byHand.id}: failed: SIGTERM sent to the run from outside rl-run`));
    expect(result.stdout).toContain(`left alone ${queued}: queued: the queue starts it`);
    expect([stopped.id, byHand.id, queued].map((id) => readFileSync(path.join(sandbox.runsDir, id, 'run.json'), 'utf8'))).toEqual(untouched);
    for (const run of running) await waitFor(`${run.id} to log again`, () => stdoutOf(run.dir).includes('resumed from step'));
  });
});

describe('a pm2 daemon taken down by a signal (as a shutdown does)', () => {
  it('its runs record the supervisor going down, and resurrect resumes them', async () => {
    const run = await startRun(sandbox, [CKPT, '--name', 'daemon', ...RESUME_FLAGS, '--', '--steps', '100000', '--step-time', '0.01', '--ckpt-every', '10']);
    await waitFor('a checkpoint', () => lastStep(run.dir) > 15);
    const daemon = Number(readFileSync(path.join(sandbox.pm2Home, 'pm2.pid'), 'utf8'));
    process.kill(daemon, 'SIGTERM');
    const record = await ended(run.id);
    expect(record.status.state).toBe('failed');
    expect(record.attempts[0].endCause).toBe('supervisor-down');
    expect(record.status.reason).toMatch(/^the pm2 daemon was signalled and is exiting \(SIGINT\); 'rl-run resurrect' continues it$/);
    await waitFor('the daemon to exit', () => !isAlive(daemon));
    const result = await sandbox.cli(['resurrect']);
    expect(result.stdout).toMatch(new RegExp(`^resumed ${run.id} as attempt 2, from checkpoints/step_\\d+\\.pt \\(its supervisor went down`, 'm'));
  });
});

describe('rl-run startup', () => {
  it('installs a systemd user unit for each runs directory under XDG_CONFIG_HOME, and uninstalls it', async () => {
    const xdg = path.join(sandbox.dir, 'xdg');
    const env = { XDG_CONFIG_HOME: xdg, RL_RUN_STARTUP_NO_SYSTEMCTL: '1' };
    const unit = path.join(xdg, 'systemd', 'user', 'rl-run-resurrect.service');
    const wants = path.join(xdg, 'systemd', 'user', 'default.target.wants', 'rl-run-resurrect.service');
    const other = path.join(sandbox.dir, 'other-runs');
    expect((await sandbox.cli(['startup', '--install', '--systemd'], { env })).code).toBe(0);
    const install2 = await sandbox.cli(['startup', '--install', '--systemd', '--runs-dir', other], { env });
    expect(install2.stdout).toContain('loginctl enable-linger');
    const text = readFileSync(unit, 'utf8');
    expect(text).toContain(`"resurrect" "--runs-dir" "${sandbox.runsDir}"`);
    expect(text).toContain(`"resurrect" "--runs-dir" "${other}"`);
    expect(lstatSync(wants).isSymbolicLink()).toBe(true);
    expect(readlinkSync(wants)).toBe('../rl-run-resurrect.service');
    await sandbox.cli(['startup', '--uninstall', '--systemd'], { env });
    expect(readFileSync(unit, 'utf8')).not.toContain(`"${sandbox.runsDir}"`);
    await sandbox.cli(['startup', '--uninstall', '--systemd', '--runs-dir', other], { env });
    expect(() => lstatSync(unit)).toThrow();
    expect(() => lstatSync(wants)).toThrow();
  });

  it('adds and removes an @reboot line, leaving the other lines of a (sandboxed) crontab alone', async () => {
    const table = path.join(sandbox.dir, 'crontab.txt');
    writeFileSync(table, '0 3 * * * backup\n');
    // A crontab program of the sandbox's own: the user's real crontab is never touched by a test.
    const program = sandbox.write('crontab', `#!/bin/sh\nif [ "$1" = "-l" ]; then cat '${table}'; else cat > '${table}'; fi\n`);
    const { chmodSync } = await import('node:fs');
    chmodSync(program, 0o755);
    const env = { RL_RUN_CRONTAB: program };
    expect((await sandbox.cli(['startup', '--install', '--cron'], { env })).code).toBe(0);
    const installed = readFileSync(table, 'utf8');
    expect(installed.split('\n')[0]).toBe('0 3 * * * backup');
    expect(installed).toMatch(new RegExp(`^@reboot .* resurrect --runs-dir ${sandbox.runsDir.replaceAll('/', '\\/')} >> .*# rl-run resurrect`, 'm'));
    expect((await sandbox.cli(['startup', '--uninstall', '--cron'], { env })).code).toBe(0);
    expect(readFileSync(table, 'utf8')).toBe('0 3 * * * backup\n');
    const printed = await sandbox.cli(['startup', '--cron']);
    expect(printed.stdout).toMatch(/^@reboot /);
  });
});
