import type { RunRecord } from '../registry/record.js';
import { resumeOf } from './settings.js';

/**
 * Pure decisions about continuing runs: which may be resumed (`rl-run resume`) and which a
 * `resurrect` after a reboot brings back. The executor (continue.ts) carries them out.
 */

/** Why `rl-run resume` refuses a run, or null when it may go on. */
export function whyNotResume(record: Pick<RunRecord, 'id' | 'status' | 'hostname'>, host: string, local: boolean): string | null {
  const { id, status } = record;
  switch (status.state) {
    case 'queued':
      return `run ${id} is queued: the queue starts it; nothing to resume`;
    case 'starting':
    case 'pending':
    case 'running':
      return `run ${id} is ${status.state}: only an ended run can be resumed; 'rl-run stop ${id}' first`;
    case 'succeeded':
      return `run ${id} succeeded: there is nothing to continue; 'rl-run restart ${id}' starts it again as a new run`;
    default:
  }
  if (local && record.hostname && record.hostname !== host) {
    return `run ${id} ran on ${record.hostname}: resume it there (its processes and pm2 are on that machine)`;
  }
  return null;
}

export interface ResurrectFacts {
  host: string;
  /** This boot's id, and when it began (epoch ms); null where /proc does not say. */
  bootId: string | null;
  bootTimeMs: number | null;
}

export type ResurrectDecision = { action: 'resume' | 'leave'; why: string };

/** How long before this boot a run may have ended by a signal and still count as taken by the shutdown. */
export const SHUTDOWN_WINDOW_MS = 10 * 60_000;

/**
 * What `resurrect` does with a run, its status as observed now (a running record whose processes
 * are gone reads as lost). Null for runs not worth a line (succeeded).
 */
export function decideResurrect(record: RunRecord, facts: ResurrectFacts, local: boolean): ResurrectDecision | null {
  const { status } = record;
  const last = record.attempts[record.attempts.length - 1];
  if (status.state === 'succeeded') return null;
  if (status.state === 'queued') return { action: 'leave', why: 'queued: the queue starts it' };
  if (!local) {
    if (status.state === 'pending' || status.state === 'running' || status.state === 'starting') return { action: 'leave', why: `${status.state} on ${record.backend}` };
    if (slurmResumable(record)) return { action: 'resume', why: `the scheduler ended it (${'reason' in status ? status.reason : status.state}) and slurm.requeue is set` };
    return { action: 'leave', why: describeEnded(record) };
  }
  if (record.hostname && record.hostname !== facts.host) return { action: 'leave', why: `ran on ${record.hostname}, not on this machine` };
  if (status.state === 'starting' || status.state === 'running' || status.state === 'pending') return { action: 'leave', why: 'still running' };
  if (status.state === 'lost') return { action: 'resume', why: `lost: ${status.reason}` };
  if (status.state === 'failed') {
    if (last?.endCause === 'supervisor-down') return { action: 'resume', why: `its supervisor went down (${status.reason})` };
    if (endedWithShutdown(record, facts)) return { action: 'resume', why: `ended by ${status.signal} as the machine went down (boot id changed)` };
  }
  return { action: 'leave', why: describeEnded(record) };
}

/**
 * A SIGTERM recorded by a runner on a machine without systemd to ask: the boot id changed since, and
 * the end came within SHUTDOWN_WINDOW_MS of this boot. A kill by hand a day before a reboot is not.
 */
function endedWithShutdown(record: RunRecord, facts: ResurrectFacts): boolean {
  const { status } = record;
  if (status.state !== 'failed' || !status.signal || !/from outside rl-run/.test(status.reason)) return false;
  if (!record.bootId || !facts.bootId || record.bootId === facts.bootId || facts.bootTimeMs === null) return false;
  const endedMs = Date.parse(status.endedAt);
  return Number.isFinite(endedMs) && endedMs <= facts.bootTimeMs && facts.bootTimeMs - endedMs <= SHUTDOWN_WINDOW_MS;
}

/** A SLURM job that hit its time limit or was preempted continues where `slurm.requeue` asks for it. */
export function slurmResumable(record: RunRecord): boolean {
  const slurm = (record.config.slurm ?? {}) as { requeue?: unknown };
  // Without resume settings every job would start over: requeue needs them.
  if (slurm.requeue !== true || record.stopRequestedAt || !resumeOf(record)) return false;
  return isTimeLimitOrPreemption(record);
}

export function isTimeLimitOrPreemption(record: Pick<RunRecord, 'status'>): boolean {
  const { status } = record;
  if (status.state === 'failed') return status.reason === 'timeout';
  if (status.state === 'lost') return /PREEMPTED/.test(status.reason);
  return false;
}

function describeEnded(record: RunRecord): string {
  const { status } = record;
  if (status.state === 'stopped') return 'stopped by the user';
  if (status.state === 'failed') return `failed: ${status.reason}`;
  return status.state;
}

/** Whether a run has resume settings (for the messages of resume and resurrect). */
export function hasResume(record: RunRecord): boolean {
  return resumeOf(record) !== null;
}
