import type { RunStatus } from '../../registry/record.js';
import type { JobInfo } from './parse.js';

/** Job states in which the script has not started yet, or will start again. */
const QUEUED = new Set(['PENDING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'RESV_DEL_HOLD', 'SPECIAL_EXIT']);
/** Job states in which the script runs, or is being set up or torn down on its node. */
const ACTIVE = new Set(['RUNNING', 'CONFIGURING', 'COMPLETING', 'SUSPENDED', 'STOPPED', 'RESIZING', 'SIGNALING', 'STAGE_OUT']);

/**
 * Pure: the run status a SLURM job state means. `stopRequested` says `rl-run stop` asked for the
 * end, so a CANCELLED (or a script that caught SIGINT and exited) is `stopped`, not a failure.
 * Null when the state says nothing we can use (an unknown state name).
 */
export function statusOfJob(job: JobInfo, stopRequested: boolean, now: Date): RunStatus | null {
  const { state } = job;
  if (QUEUED.has(state)) {
    const reason = state === 'PENDING' ? job.reason : `${state.toLowerCase()}${job.reason ? `: ${job.reason}` : ''}`;
    return { state: 'pending', ...(reason ? { reason } : {}) };
  }
  if (ACTIVE.has(state)) return { state: 'running', ...(job.node ? { node: job.node } : {}) };

  const endedAt = job.endedAt ?? now.toISOString();
  // A cancelled job's "0:0" is no exit code: it never ran, or was ended from outside.
  const exitCode = state === 'CANCELLED' && job.exitCode === 0 ? null : (job.exitCode ?? null);
  const signal = job.signal ?? null;
  switch (state) {
    case 'NODE_FAIL':
      return { state: 'lost', detectedAt: now.toISOString(), reason: `node failure${job.node ? ` on ${job.node}` : ''} (NODE_FAIL)` };
    case 'PREEMPTED':
      return { state: 'lost', detectedAt: now.toISOString(), reason: 'preempted by the scheduler (PREEMPTED)' };
    default:
  }
  if (stopRequested) return { state: 'stopped', endedAt, exitCode, signal };
  switch (state) {
    case 'COMPLETED':
      return { state: 'succeeded', endedAt, exitCode: 0 };
    case 'FAILED':
      return { state: 'failed', endedAt, exitCode, signal, reason: signal ? `killed by ${signal}` : `exit code ${exitCode ?? '?'}` };
    case 'CANCELLED':
      return { state: 'failed', endedAt, exitCode, signal, reason: "cancelled outside rl-run (scancel?); use 'rl-run stop'" };
    case 'TIMEOUT':
      return { state: 'failed', endedAt, exitCode, signal, reason: 'timeout' };
    case 'OUT_OF_MEMORY':
      return { state: 'failed', endedAt, exitCode, signal, reason: 'oom' };
    case 'BOOT_FAIL':
    case 'DEADLINE':
      return { state: 'failed', endedAt, exitCode, signal, reason: state.toLowerCase().replace('_', ' ') };
    default:
      return null;
  }
}

/** Two statuses say the same thing (so the record need not be written again). */
export function sameStatus(a: RunStatus, b: RunStatus): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
