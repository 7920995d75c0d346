import { hostname } from 'node:os';
import { isAlive } from '../../process/index.js';
import { type RunRecord, isEnded } from '../../registry/record.js';
import type { Observation } from '../../registry/registry.js';
import { endedJob, queuedJobs } from './cli.js';
import type { JobInfo } from './parse.js';
import { sameStatus, statusOfJob } from './states.js';

/**
 * A SLURM run's status, asked of SLURM. Cheap enough for `ls` over many runs: an ended record is
 * never queried (the registry writes the end into run.json the first time it is seen); the queue
 * is read with one `squeue` per user, shared by every record read within QUEUE_TTL_MS; only a job
 * that has left the queue costs a `sacct` of its own, once.
 */
const QUEUE_TTL_MS = 1_000;

const queues = new Map<string, { at: number; jobs: Map<string, JobInfo> | null }>();

/** Forgets the cached queue, for a caller that needs the state as of now (stop's polling). */
export function forgetQueue(): void {
  queues.clear();
}

function queueOf(user: string): Map<string, JobInfo> | null {
  const cached = queues.get(user);
  if (cached && Date.now() - cached.at < QUEUE_TTL_MS) return cached.jobs;
  const jobs = queuedJobs(user || undefined);
  queues.set(user, { at: Date.now(), jobs });
  return jobs;
}

export function observeSlurm(record: RunRecord, now: Date = new Date()): Observation | null {
  if (isEnded(record.status)) return null;
  const jobId = record.slurmJobId;
  if (!jobId) {
    // Not submitted yet: a start in progress, or one whose launcher died before sbatch answered.
    const sameHost = !record.hostname || record.hostname === hostname();
    if (record.status.state === 'starting' && sameHost && !isAlive(record.launcher)) {
      return { status: { state: 'lost', detectedAt: now.toISOString(), reason: 'the start was interrupted before the job was submitted' } };
    }
    return null;
  }
  const queue = queueOf(record.user);
  // squeue did not answer (controller down, or no SLURM on this machine): say nothing rather than guess.
  if (queue === null) return null;
  const job = queue.get(jobId) ?? endedJob(jobId);
  if (!job) {
    // A waiting array task that is cancelled leaves no trace at all (not in sacct -c, not in
    // scontrol): asked for by `rl-run stop`, its disappearance is that stop, not a loss.
    if (record.stopRequestedAt) return { status: { state: 'stopped', endedAt: now.toISOString(), exitCode: null, signal: null } };
    return { status: { state: 'lost', detectedAt: now.toISOString(), reason: `SLURM no longer knows job ${jobId} (not in squeue, sacct or scontrol)` } };
  }
  const observed = statusOfJob(job, Boolean(record.stopRequestedAt), now);
  // Between squeue's answer and sacct's, a job can end or start; an active state from sacct is not news.
  // The start on the node, not the submission: a run's duration should not count its time in the queue.
  const start = !record.startedAt && job.startedAt ? { startedAt: job.startedAt } : {};
  if (!observed || sameStatus(observed, record.status)) return start.startedAt ? { status: record.status, ...start } : null;
  return { status: observed, ...start };
}
