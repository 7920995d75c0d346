import { hostname } from 'node:os';
import path from 'node:path';
import { RuntimeError, UsageError, describeError } from '../errors.js';
import { ensureWorkingDirectory } from './execute.js';
import { pollUntil, processRef } from '../process/index.js';
import type { Attempt, RunRecord } from '../registry/record.js';
import type { Registry, StoredRun } from '../registry/registry.js';
import { clearStopRequest } from '../registry/run-dir/index.js';
import { appendNoFollow } from '../registry/safe-fs.js';
import { backendOf, supervisorFor } from '../supervisor/index.js';
import type { Backend } from '../supervisor/types.js';
import { planAttempt } from '../resume/attempt.js';
import { newestCheckpoint } from '../resume/checkpoint.js';
import { whyNotResume } from '../resume/plan.js';
import { resumeOf } from '../resume/settings.js';

/**
 * Carries out `rl-run resume` (and each resume of `resurrect`): the same run, id, directory and
 * record, continued as its next attempt. On pm2 the record goes back to `starting` with this
 * process as its launcher and a new runner takes it (runner/claim.ts), writing the separator and
 * choosing the checkpoint again as it starts; on SLURM a new job is submitted for the run.
 */
export interface ResumeOptions {
  requireCheckpoint: boolean;
  dryRun: boolean;
  /** Refuse unless there is a checkpoint newer than the one the last attempt resumed from (an automatic requeue: no loop without progress). */
  requireProgress?: boolean;
}

export interface ResumeOutcome {
  id: string;
  attempt: number;
  /** Relative to the run directory; null when it starts from scratch. */
  checkpoint: string | null;
  /** Why it starts from scratch, when it does. */
  scratchReason: string | null;
}

const START_TIMEOUT_MS = 60_000;

/** What resuming `run` would do, checked: throws a UsageError (nothing done) when it may not. */
export async function planResume(run: StoredRun, options: Pick<ResumeOptions, 'requireCheckpoint' | 'requireProgress'>): Promise<ResumeOutcome> {
  const { record, layout } = run;
  const refusal = whyNotResume(record, hostname(), backendOf(record.backend).local);
  if (refusal) throw new UsageError(refusal);
  const resume = resumeOf(record);
  const checkpoint = resume ? await newestCheckpoint(layout.dir, resume.checkpoint) : null;
  const scratchReason = checkpoint ? null : resume ? `no complete checkpoint matches ${resume.checkpoint} in ${layout.dir}` : 'the run has no resume settings (resume in runs.config.ts, or start --resume-checkpoint/--resume-args)';
  if (options.requireCheckpoint && !checkpoint) throw new UsageError(`cannot resume ${record.id} from a checkpoint: ${scratchReason}; nothing was changed`);
  const last = record.attempts[record.attempts.length - 1];
  if (options.requireProgress && (!checkpoint || (last?.checkpoint && path.join(layout.dir, checkpoint) === last.checkpoint))) {
    throw new UsageError(`not resuming ${record.id} again: no checkpoint newer than the last attempt's (${last?.checkpoint ?? 'none'}); 'rl-run resume ${record.id}' does it anyway`);
  }
  return { id: record.id, attempt: attemptCount(record) + 1, checkpoint, scratchReason };
}

export async function resumeRun(registry: Registry, run: StoredRun, options: ResumeOptions): Promise<ResumeOutcome> {
  const planned = await planResume(run, options);
  if (options.dryRun) return planned;
  return (await startResume(registry, run, planned))();
}

/**
 * Starts the planned attempt and returns the wait for it to come up, so that `resurrect` starts
 * every run before it waits for any (each runner may spend 2 s making sure of its checkpoint).
 */
export async function startResume(registry: Registry, run: StoredRun, planned: ResumeOutcome): Promise<() => Promise<ResumeOutcome>> {
  ensureWorkingDirectory(run.record.cwd, run.record.id);
  const backend = backendOf(run.record.backend);
  if (!backend.local) {
    const done = await resumeOnScheduler(registry, run, planned, backend);
    return async () => done;
  }
  const supervisor = await supervisorFor(backend.name, registry);
  const claimed = claim(registry, run, (r) => r);
  try {
    await supervisor.start(claimed, runEnvironment(claimed));
  } catch (error) {
    markFailed(registry, claimed.record.id, `the supervisor could not start it again: ${describeError(error)}`);
    throw error;
  }
  return () => untilUp(registry, claimed, planned);
}

async function untilUp(registry: Registry, claimed: StoredRun, planned: ResumeOutcome): Promise<ResumeOutcome> {
  const up = await pollUntil(() => {
    const read = registry.readRaw(claimed.record.id);
    return read.ok && read.run.record.status.state !== 'starting';
  }, START_TIMEOUT_MS);
  const read = registry.readRaw(claimed.record.id);
  if (!up || !read.ok) {
    markFailed(registry, claimed.record.id, `it did not come up again within ${START_TIMEOUT_MS / 1000} s`);
    throw new RuntimeError(`run ${claimed.record.id} did not come up again within ${START_TIMEOUT_MS / 1000} s; see ${claimed.layout.runnerLog}`);
  }
  const { status, attempts } = read.run.record;
  if (status.state === 'failed' && attempts.length < planned.attempt) throw new RuntimeError(`run ${claimed.record.id} failed to start again: ${status.reason}`);
  const started = attempts[planned.attempt - 1];
  const checkpoint = started?.checkpoint ? path.relative(claimed.layout.dir, started.checkpoint) : planned.checkpoint;
  return { ...planned, checkpoint: started ? checkpoint : planned.checkpoint };
}

/**
 * The record back to `starting` with this process as its launcher, only if it still says what it
 * said when the resume was decided: a second `resume` (or a resurrect) racing this one finds it
 * starting and is refused.
 */
function claim(registry: Registry, run: StoredRun, extra: (record: RunRecord, before: RunRecord) => RunRecord): StoredRun {
  const seen = run.record.status.state;
  const record = registry.update(run.record.id, (current) => {
    if (current.status.state !== seen) {
      throw new UsageError(`run ${current.id} changed while being resumed (now ${current.status.state}); nothing was changed`);
    }
    // The old stop's request goes under the record's lock, once the run is known to be this one's to resume.
    clearStopRequest(run.layout);
    const { stopRequestedAt: _stop, runner: _runner, pid: _pid, pidStartTime: _start, ...rest } = current;
    return extra({ ...rest, status: { state: 'starting' }, launcher: processRef(process.pid) }, current);
  });
  return { record, layout: run.layout };
}

/** A new job for the same run: the batch script gets the resumed command; the logs get the separator first. */
async function resumeOnScheduler(registry: Registry, run: StoredRun, planned: ResumeOutcome, backend: Backend): Promise<ResumeOutcome> {
  const supervisor = await supervisorFor(backend.name, registry);
  const resume = resumeOf(run.record);
  const plan = planAttempt(run.record, run.layout.dir, planned.attempt, resume, planned.checkpoint);
  const now = new Date().toISOString();
  const claimed = claim(registry, run, (r, before) => {
    const { slurmJobId: _job, ...rest } = r;
    // The attempts so far as the record had them, with the end its status gave (claim has set it to starting).
    const attempts: Attempt[] = [...pastAttempts(before), { startedAt: now, checkpoint: plan.checkpoint ?? null }];
    return { ...rest, attempts };
  });
  if (plan.separator) {
    appendNoFollow(run.layout.stdout, plan.separator);
    appendNoFollow(run.layout.stderr, plan.separator);
  }
  try {
    await supervisor.start({ record: { ...claimed.record, command: plan.command }, layout: claimed.layout }, runEnvironment(claimed));
  } catch (error) {
    markFailed(registry, claimed.record.id, `the scheduler refused the next attempt: ${describeError(error)}`);
    throw error;
  }
  return planned;
}

/**
 * A scheduler run's attempts so far, the last one closed with the end its status gives: no runner
 * on the node writes attempts, so the first job left none in the record and a later one's entry
 * has only its start.
 */
function pastAttempts(record: RunRecord): Attempt[] {
  const { status } = record;
  const endedAt = 'endedAt' in status ? status.endedAt : status.state === 'lost' ? status.detectedAt : undefined;
  const end = {
    ...(endedAt ? { endedAt } : {}),
    ...('exitCode' in status ? { exitCode: status.exitCode } : {}),
    ...('signal' in status ? { signal: status.signal } : {}),
  };
  const last = record.attempts[record.attempts.length - 1];
  if (!last) return [{ startedAt: record.startedAt ?? record.createdAt, ...end }];
  return last.endedAt ? record.attempts : [...record.attempts.slice(0, -1), { ...last, ...end }];
}

function attemptCount(record: RunRecord): number {
  return backendOf(record.backend).local ? record.attempts.length : pastAttempts(record).length;
}

function runEnvironment(run: StoredRun): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  return {
    ...env,
    ...run.record.env,
    RL_RUN_ID: run.record.id,
    RL_RUN_DIR: run.layout.dir,
    RL_RUN_NAME: run.record.name,
    PYTHONUNBUFFERED: '1',
  };
}

function markFailed(registry: Registry, id: string, reason: string): void {
  try {
    registry.update(id, (r) =>
      r.status.state === 'starting' ? { ...r, status: { state: 'failed', endedAt: new Date().toISOString(), exitCode: null, signal: null, reason } } : r,
    );
  } catch {
    // unwritable: the next reader shows it as lost
  }
}
