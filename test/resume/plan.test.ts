import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/validate.js';
import { stitchPoints } from '../../src/metrics/stitch.js';
import type { RunRecord } from '../../src/registry/record.js';
import { expandResumeArgs, resumeWithFlags } from '../../src/resume/args.js';
import { planAttempt } from '../../src/resume/attempt.js';
import { STABLE_MS, chooseCheckpoint } from '../../src/resume/checkpoint.js';
import { decideResurrect, whyNotResume } from '../../src/resume/plan.js';
import { madeProgress } from '../../src/resume/progress.js';
import { CRON_MARK, cronLines, editCrontab, runsDirsOfUnit, systemdUnit } from '../../src/resume/startup.js';

const NOW = 1_000_000;

describe('the newest complete checkpoint', () => {
  const file = (relative: string, ageMs: number, size = 10) => ({ relative, size, mtimeMs: NOW - ageMs });
  it.each([
    ['newest by modification time, not by name', [file('c/step_9.pt', 5_000), file('c/step_10.pt', 3_000)], undefined, 'c/step_10.pt'],
    ['a file modified in the last 2 s is skipped for the one before it', [file('c/a.pt', 5_000), file('c/b.pt', 100)], undefined, 'c/a.pt'],
    ['…unless it had the same size 2 s before', [file('c/a.pt', 5_000), file('c/b.pt', 100)], new Map([['c/b.pt', 10]]), 'c/b.pt'],
    ['…and not when it grew in between', [file('c/a.pt', 5_000), file('c/b.pt', 100, 20)], new Map([['c/b.pt', 10]]), 'c/a.pt'],
    ['none at all', [], undefined, null],
  ])('%s', (_name, files, earlier, expected) => {
    expect(chooseCheckpoint(files, NOW, earlier)?.relative ?? null).toBe(expected);
  });
  it('waits exactly the stable time the issue names', () => {
    expect(STABLE_MS).toBe(2_000);
  });
});

describe('resume arguments', () => {
  it('fills {checkpoint}, {run_dir} and {attempt}', () => {
    expect(expandResumeArgs(['--resume', '{checkpoint}', '--out={run_dir}/a{attempt}'], { checkpoint: '/r/c/s.pt', runDir: '/r', attempt: 3 })).toEqual([
      '--resume',
      '/r/c/s.pt',
      '--out=/r/a3',
    ]);
  });
  it.each([
    [{ checkpoint: '../x/*.pt', args: '--resume {checkpoint}' }, /leaves the run directory/],
    [{ checkpoint: '/abs/*.pt', args: '--resume {checkpoint}' }, /is absolute/],
    [{ checkpoint: 'c/*.pt', args: '--resume {ckpt}' }, /unknown placeholder \{ckpt\}/],
    [{ checkpoint: 'c/*.pt' }, /needs --resume-args too/],
    [{ args: '--resume {checkpoint}' }, /needs --resume-checkpoint GLOB too/],
  ])('flags %j are refused', (flags, message) => {
    expect(() => resumeWithFlags(null, flags)).toThrow(message);
  });
  it('config: a glob out of the run dir, an unknown placeholder and a missing key are named', () => {
    const bad = validateConfig({ resume: { checkpoint: '../*.pt', args: ['{nope}'], maxFruitlessAttempts: 0 } });
    expect(bad.ok).toBe(false);
    const errors = bad.ok ? [] : bad.errors.join('\n');
    expect(errors).toMatch(/resume.maxFruitlessAttempts: expected a whole number > 0/);
    expect(errors).toMatch(/resume.checkpoint: .* leaves the run directory/);
    expect(errors).toMatch(/resume.args: unknown placeholder \{nope\}/);
    expect(validateConfig({ resume: { checkpoint: 'c/*.pt' } }).ok).toBe(false);
    expect(validateConfig({ resume: { checkpoint: 'c/*.pt', args: ['--resume', '{checkpoint}'] } }).ok).toBe(true);
  });
});

describe('an attempt plan', () => {
  const resume = { checkpoint: 'c/*.pt', args: ['--resume', '{checkpoint}'], maxFruitlessAttempts: 3 };
  it('the first attempt is the plain command', () => {
    expect(planAttempt({ command: ['python3', 't.py'] }, '/r', 1, resume, 'c/s.pt')).toEqual({ number: 1, command: ['python3', 't.py'], checkpoint: undefined, separator: null });
  });
  it('a later one resumes with the separator the issue shows', () => {
    const plan = planAttempt({ command: ['python3', 't.py'] }, '/r', 2, resume, 'checkpoints/step_3000.pt');
    expect(plan.command).toEqual(['python3', 't.py', '--resume', '/r/checkpoints/step_3000.pt']);
    expect(plan.checkpoint).toBe('/r/checkpoints/step_3000.pt');
    expect(plan.separator).toBe('\n──── rl-run: attempt 2, resumed from checkpoints/step_3000.pt ────\n');
  });
  it('without a checkpoint it starts from scratch and says so', () => {
    const plan = planAttempt({ command: ['x'] }, '/r', 4, resume, null);
    expect(plan).toMatchObject({ command: ['x'], checkpoint: null });
    expect(plan.separator).toContain('attempt 4, started from scratch (no checkpoint matches c/*.pt)');
  });
});

describe('progress of an attempt', () => {
  it.each([
    [{ checkpoint: null, lastStep: null }, { checkpoint: null, lastStep: null }, false],
    [{ checkpoint: 'a@1', lastStep: 5 }, { checkpoint: 'a@1', lastStep: 5 }, false],
    [{ checkpoint: 'a@1', lastStep: 5 }, { checkpoint: 'a@2', lastStep: 5 }, true],
    [{ checkpoint: 'a@1', lastStep: 50 }, { checkpoint: 'a@1', lastStep: 31 }, true],
  ])('%j → %j: %s', (before, after, expected) => {
    expect(madeProgress(before, after)).toBe(expected);
  });
});

describe('one curve', () => {
  it('a resumed attempt’s repeated steps replace the older values from that step on', () => {
    const pts = (...pairs: [number, number][]) => pairs.map(([step, value]) => ({ step, value }));
    const { points, removed } = stitchPoints(pts([1, 1], [2, 2], [3, 3], [4, 4], [3, 30], [4, 40], [5, 50]));
    expect(points).toEqual(pts([1, 1], [2, 2], [3, 30], [4, 40], [5, 50]));
    expect(removed).toBe(2);
  });
});

function record(over: Partial<RunRecord>): RunRecord {
  return {
    schemaVersion: 1,
    id: 'r1',
    name: 'r',
    backend: 'pm2',
    script: null,
    args: [],
    command: ['x'],
    cwd: '/',
    interpreter: null,
    tags: [],
    env: {},
    createdAt: '2026-01-01T00:00:00.000Z',
    status: { state: 'running' },
    launcher: { pid: 1 },
    hostname: 'here',
    user: 'u',
    rlRunVersion: '0',
    stopTimeoutMs: 1,
    restart: { maxRestarts: 0, delayMs: 0 },
    attempts: [{ startedAt: '2026-01-01T00:00:00.000Z' }],
    config: {},
    ...over,
  };
}

describe('what resurrect does', () => {
  const facts = { host: 'here', bootId: 'boot-2', bootTimeMs: Date.parse('2026-01-02T00:00:00.000Z') };
  const failed = (reason: string, endedAt = '2026-01-01T23:58:00.000Z') => ({ state: 'failed' as const, endedAt, exitCode: null, signal: 'SIGTERM', reason });
  const outside = "SIGTERM sent to the run from outside rl-run (pm2 stop, pm2 kill or kill?); use 'rl-run stop'";
  it.each([
    ['lost (its processes are gone)', record({ status: { state: 'lost', detectedAt: 'x', reason: 'its process is gone' } }), 'resume'],
    ['its supervisor went down', record({ status: failed('pm2 kill'), attempts: [{ startedAt: 'x', endCause: 'supervisor-down' }] }), 'resume'],
    ['SIGTERM 2 minutes before this boot, under the old boot id', record({ status: failed(outside), bootId: 'boot-1' }), 'resume'],
    ['SIGTERM by hand a day before the reboot', record({ status: failed(outside, '2026-01-01T00:00:00.000Z'), bootId: 'boot-1' }), 'leave'],
    ['SIGTERM by hand in this boot', record({ status: failed(outside, '2026-01-02T01:00:00.000Z'), bootId: 'boot-2' }), 'leave'],
    ['stopped by the user', record({ status: { state: 'stopped', endedAt: 'x', exitCode: 0, signal: null } }), 'leave'],
    ['queued', record({ status: { state: 'queued' } }), 'leave'],
    ['still running', record({ status: { state: 'running' } }), 'leave'],
    ['lost on another machine', record({ hostname: 'there', status: { state: 'lost', detectedAt: 'x', reason: 'y' } }), 'leave'],
  ])('%s → %s', (_name, rec, action) => {
    expect(decideResurrect(rec, facts, rec.backend === 'pm2')?.action).toBe(action);
  });
  it('succeeded runs are not even listed', () => {
    expect(decideResurrect(record({ status: { state: 'succeeded', endedAt: 'x', exitCode: 0 } }), facts, true)).toBeNull();
  });
  it('SLURM: a timeout is resumed only with slurm.requeue and resume settings', () => {
    const timedOut = { backend: 'slurm' as const, status: { state: 'failed' as const, endedAt: 'x', exitCode: null, signal: null, reason: 'timeout' } };
    const resume = { checkpoint: 'c/*.pt', args: ['--resume', '{checkpoint}'] };
    expect(decideResurrect(record({ ...timedOut, config: { slurm: { requeue: true }, resume } }), facts, false)?.action).toBe('resume');
    // Without resume settings each job would start over: not requeued.
    expect(decideResurrect(record({ ...timedOut, config: { slurm: { requeue: true } } }), facts, false)?.action).toBe('leave');
    expect(decideResurrect(record({ ...timedOut, config: { slurm: {} } }), facts, false)?.action).toBe('leave');
  });
});

describe('what resume refuses', () => {
  it.each([
    ['running', /is running: only an ended run can be resumed; 'rl-run stop r1' first/],
    ['starting', /is starting/],
    ['pending', /is pending/],
    ['queued', /is queued: the queue starts it/],
  ] as const)('%s', (state, message) => {
    expect(whyNotResume(record({ status: { state } as RunRecord['status'] }), 'here', true)).toMatch(message);
  });
  it('allows stopped, failed and lost', () => {
    for (const status of [
      { state: 'stopped', endedAt: 'x', exitCode: 0, signal: null },
      { state: 'failed', endedAt: 'x', exitCode: 1, signal: null, reason: 'r' },
      { state: 'lost', detectedAt: 'x', reason: 'r' },
    ] as RunRecord['status'][]) {
      expect(whyNotResume(record({ status }), 'here', true)).toBeNull();
    }
  });
});

describe('the boot hook', () => {
  const input = { node: '/usr/bin/node', cli: '/opt/rl run/cli.js', runsDirs: ['/home/u/p/runs', '/data/100%/runs'], pathEnv: '/usr/bin:/bin', pm2Home: null };
  it('a systemd user unit with one ExecStart per runs directory, read back', () => {
    const unit = systemdUnit(input);
    expect(unit).toContain('ExecStart="/usr/bin/node" "/opt/rl run/cli.js" "resurrect" "--runs-dir" "/home/u/p/runs"');
    expect(unit).toContain('"--runs-dir" "/data/100%%/runs"');
    expect(unit).toContain('WantedBy=default.target');
    expect(unit).toContain('Type=oneshot\nRemainAfterExit=yes\n');
    expect(runsDirsOfUnit(unit)).toEqual(input.runsDirs);
  });
  it('an @reboot line, % escaped for cron, put in and taken out leaving other lines alone', () => {
    const [line] = cronLines({ ...input, runsDirs: ['/data/100%/runs'] });
    expect(line).toMatch(/^@reboot PATH=\/usr\/bin:\/bin \/usr\/bin\/node '\/opt\/rl run\/cli.js' resurrect --runs-dir '\/data\/100\\%\/runs' >> /);
    expect(line).not.toMatch(/[^\\]%/);
    expect(line).toContain(CRON_MARK);
    const mine = '0 * * * * backup\n';
    const installed = editCrontab(mine, '/data/100%/runs', line!);
    expect(installed).toBe(`${mine}${line}\n`);
    expect(editCrontab(installed, '/data/100%/runs', line!)).toBe(installed);
    expect(editCrontab(installed, '/data/100%/runs', null)).toBe(mine);
  });
});

describe('slurm.requeue', () => {
  it('submits with a warning signal before the time limit (default B:USR1@120, or slurm.signal)', async () => {
    const { sbatchArgs } = await import('../../src/supervisor/slurm/script.js');
    const { layoutOfDir } = await import('../../src/registry/run-dir/index.js');
    const layout = layoutOfDir('/r/x-20260101-120000-abc123');
    const args = (slurm: object) => sbatchArgs({ runId: 'x-20260101-120000-abc123', layout, cwd: '/', slurm });
    expect(args({ requeue: true })).toContain('--signal=B:USR1@120');
    expect(args({ requeue: true, signal: 'B:TERM@300' })).toContain('--signal=B:TERM@300');
    expect(args({}).some((a: string) => a.startsWith('--signal'))).toBe(false);
    expect(validateConfig({ slurm: { requeue: 'yes' } }).ok).toBe(false);
  });
});
