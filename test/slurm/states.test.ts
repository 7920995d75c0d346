import { describe, expect, it } from 'vitest';
import type { RunStatus } from '../../src/registry/record.js';
import { type JobInfo, parseSacct, parseScontrol, parseSqueue } from '../../src/supervisor/slurm/parse.js';
import { refusal } from '../../src/supervisor/slurm/cli.js';
import { statusOfJob } from '../../src/supervisor/slurm/states.js';

const now = new Date('2026-01-01T12:00:00.000Z');
const endedAt = '2026-01-01T11:59:00.000Z';
const job = (state: string, more: Partial<JobInfo> = {}): JobInfo => ({ jobId: '42', state, endedAt, ...more });

describe('statusOfJob', () => {
  it.each<[string, JobInfo, boolean, RunStatus | null]>([
    ['queued', job('PENDING', { reason: 'Priority' }), false, { state: 'pending', reason: 'Priority' }],
    ['queued, no reason', job('PENDING'), false, { state: 'pending' }],
    ['requeued', job('REQUEUED'), false, { state: 'pending', reason: 'requeued' }],
    ['running on a node', job('RUNNING', { node: 'gpu07' }), false, { state: 'running', node: 'gpu07' }],
    ['completing is still running', job('COMPLETING', { node: 'gpu07' }), false, { state: 'running', node: 'gpu07' }],
    ['completed', job('COMPLETED', { exitCode: 0, signal: null }), false, { state: 'succeeded', endedAt, exitCode: 0 }],
    ['failed with its exit code', job('FAILED', { exitCode: 3, signal: null }), false, { state: 'failed', endedAt, exitCode: 3, signal: null, reason: 'exit code 3' }],
    ['failed by a signal', job('FAILED', { exitCode: null, signal: 'SIGKILL' }), false, { state: 'failed', endedAt, exitCode: null, signal: 'SIGKILL', reason: 'killed by SIGKILL' }],
    ['cancelled by someone else', job('CANCELLED', { exitCode: 0, signal: null }), false, { state: 'failed', endedAt, exitCode: null, signal: null, reason: "cancelled outside rl-run (scancel?); use 'rl-run stop'" }],
    ['cancelled by rl-run stop', job('CANCELLED', { exitCode: null, signal: 'SIGTERM' }), true, { state: 'stopped', endedAt, exitCode: null, signal: 'SIGTERM' }],
    ['checkpointed and exited 0 after rl-run stop', job('COMPLETED', { exitCode: 0, signal: null }), true, { state: 'stopped', endedAt, exitCode: 0, signal: null }],
    ['time limit', job('TIMEOUT', { exitCode: 0, signal: null }), false, { state: 'failed', endedAt, exitCode: 0, signal: null, reason: 'timeout' }],
    ['out of memory', job('OUT_OF_MEMORY', { exitCode: 0, signal: 'SIGKILL' }), false, { state: 'failed', endedAt, exitCode: 0, signal: 'SIGKILL', reason: 'oom' }],
    ['node failure', job('NODE_FAIL', { node: 'gpu07' }), false, { state: 'lost', detectedAt: now.toISOString(), reason: 'node failure on gpu07 (NODE_FAIL)' }],
    ['node failure during a stop is still lost', job('NODE_FAIL'), true, { state: 'lost', detectedAt: now.toISOString(), reason: 'node failure (NODE_FAIL)' }],
    ['preempted', job('PREEMPTED'), false, { state: 'lost', detectedAt: now.toISOString(), reason: 'preempted by the scheduler (PREEMPTED)' }],
    ['an end time SLURM does not know is now', job('COMPLETED', { endedAt: undefined }), false, { state: 'succeeded', endedAt: now.toISOString(), exitCode: 0 }],
    ['a state we do not know says nothing', job('WEIRD_NEW_STATE'), false, null],
  ])('%s', (_, info, stopRequested, expected) => {
    expect(statusOfJob(info, stopRequested, now)).toEqual(expected);
  });
});

describe('parsing SLURM output', () => {
  it('squeue -h -o "%i|%T|%N|%r|%S|%j": a pending job\'s %S is an estimate, not a start', () => {
    expect(parseSqueue('7|PENDING||Priority|2026-11-25T01:00:00|rlrun-a\n8|RUNNING|vm|None|2026-11-24T22:05:00|rlrun-b|c\n9|RUNNING|vm|None|N/A|rlrun-d\n\n')).toEqual([
      { jobId: '7', state: 'PENDING', reason: 'Priority', name: 'rlrun-a' },
      { jobId: '8', state: 'RUNNING', node: 'vm', startedAt: new Date('2026-11-24T22:05:00').toISOString(), name: 'rlrun-b|c' },
      { jobId: '9', state: 'RUNNING', node: 'vm', name: 'rlrun-d' },
    ]);
  });

  it.each<[string, string, Partial<JobInfo> | null]>([
    ['job-completion log (sacct -c)', '1|FAILED|3:0|vm|2026-11-24T22:06:56\n', { state: 'FAILED', exitCode: 3, signal: null, node: 'vm' }],
    ['accounting: the job line, not its steps', '5|CANCELLED by 1000|0:15|n1|2026-11-24T22:06:56\n5.batch|CANCELLED|0:15|n1|2026-11-24T22:06:56\n', { state: 'CANCELLED', exitCode: null, signal: 'SIGTERM' }],
    ['a step line alone does not count', '5.batch|COMPLETED|0:0|n1|Unknown\n', null],
    ['never started', '6|CANCELLED by 0|0:0|None assigned|2026-11-24T22:06:56\n', { state: 'CANCELLED', exitCode: 0 }],
    ['nothing', '', null],
  ])('sacct: %s', (_, text, expected) => {
    const jobId = /^\d+/.exec(text)?.[0] ?? '1';
    const parsed = parseSacct(text, jobId);
    if (expected === null) expect(parsed).toBeNull();
    else expect(parsed).toMatchObject(expected);
  });

  it('sacct End and Start are local time; Unknown is no time', () => {
    const parsed = parseSacct('1|COMPLETED|0:0|vm|2026-11-24T22:06:56|2026-11-24T22:01:00', '1');
    expect(parsed?.endedAt).toBe(new Date('2026-11-24T22:06:56').toISOString());
    expect(parsed?.startedAt).toBe(new Date('2026-11-24T22:01:00').toISOString());
    expect(parseSacct('1|CANCELLED|0:0|None assigned|2026-11-24T22:06:56|Unknown', '1')?.startedAt).toBeUndefined();
    // Cancelled in the queue: SLURM gives it a StartTime (and here a node) though it never ran.
    expect(parseSacct('1|CANCELLED by 0|0:0|vm|2026-11-24T22:06:56|2026-11-24T22:06:50', '1')?.startedAt).toBeUndefined();
  });

  it('scontrol show job', () => {
    const text = [
      'JobId=4 JobName=rlrun-x',
      '   UserId=root(0) GroupId=root(0) MCS_label=N/A',
      '   JobState=CANCELLED Reason=None Dependency=(null)',
      '   Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:15',
      '   StartTime=2026-11-24T22:07:11 EndTime=2026-11-24T22:07:11 Deadline=N/A',
      '   NodeList=vm',
    ].join('\n');
    expect(parseScontrol(text, '4')).toEqual({
      jobId: '4',
      state: 'CANCELLED',
      exitCode: null,
      signal: 'SIGTERM',
      node: 'vm',
      endedAt: new Date('2026-11-24T22:07:11').toISOString(),
    });
    expect(parseScontrol(text, '5')).toBeNull();
    const completed = text.replace('JobState=CANCELLED', 'JobState=COMPLETED').replace('StartTime=2026-11-24T22:07:11', 'StartTime=2026-11-24T22:01:00');
    expect(parseScontrol(completed, '4')?.startedAt).toBe(new Date('2026-11-24T22:01:00').toISOString());
  });
});

describe('a refused submission', () => {
  it.each([
    ['sbatch: error: invalid partition specified: nosuch\nsbatch: error: Batch job submission failed: Invalid partition name specified', 2, /^sbatch refused the job: invalid partition specified: nosuch; Batch job submission failed: Invalid partition name specified; set slurm.partition/],
    ['sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified', 2, /^sbatch refused the job: Batch job submission failed: Invalid account.*; check the slurm section/],
    ['sbatch: error: Batch job submission failed: Unable to contact slurm controller (connect failure)', 1, /^cannot reach the SLURM controller/],
  ])('%s', (stderr, exitCode, message) => {
    const error = refusal(stderr) as Error & { exitCode: number };
    expect(error.exitCode).toBe(exitCode);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('\n');
  });
});
