import path from 'node:path';
import { execFile, execFileSync } from 'node:child_process';
import { RuntimeError, UsageError } from '../../errors.js';
import { type JobInfo, SACCT_FIELDS, SQUEUE_FORMAT, parseSacct, parseScontrol, parseSqueue } from './parse.js';
import { currentUser, withoutRunIdentity } from '../../process/index.js';
import { runIdOfJobName } from './script.js';
import { layoutOfDir } from '../../registry/run-dir/index.js';
import type { OrphanCandidate } from '../types.js';

/**
 * The one place that runs SLURM's commands. The observer needs answers synchronously (a listing
 * reads records one by one), so the queries come in a sync form; submitting and cancelling are async.
 */
const QUERY_TIMEOUT_MS = 15_000;

type Result = { ok: true; stdout: string } | { ok: false; stderr: string; missing: boolean };

function runSync(command: string, args: string[]): Result {
  try {
    const stdout = execFileSync(command, args, { encoding: 'utf8', env: withoutRunIdentity(process.env), timeout: QUERY_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] });
    return { ok: true, stdout };
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    return { ok: false, stderr: String(e.stderr ?? e.message).trim(), missing: e.code === 'ENOENT' };
  }
}

function runAsync(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(command, args, { encoding: 'utf8', timeout: QUERY_TIMEOUT_MS * 4, ...options, env: withoutRunIdentity(options.env ?? process.env) }, (error, stdout, stderr) => {
      if (!error) resolve({ ok: true, stdout });
      else resolve({ ok: false, stderr: (stderr || error.message).trim(), missing: (error as NodeJS.ErrnoException).code === 'ENOENT' });
    });
  });
}

/** Is SLURM's client installed here? Checked before a run directory is made for a SLURM run. */
export function assertSlurmAvailable(): void {
  const result = runSync('sbatch', ['--version']);
  if (!result.ok && result.missing) {
    throw new UsageError(
      "SLURM's sbatch is not installed or not on PATH: start and stop SLURM runs on a login node of the cluster; on this machine use --backend pm2",
    );
  }
}

/** Submits a batch script; the job id, or SLURM's own refusal as the error. */
export async function submit(args: string[], env: Record<string, string>, cwd: string): Promise<string> {
  // The job's own RL_RUN_* are written into the batch script; sbatch itself is not the run.
  const result = await runAsync('sbatch', args, { env, cwd });
  if (!result.ok) {
    if (result.missing) throw new UsageError("SLURM's sbatch is not installed or not on PATH: use --backend pm2 on this machine");
    throw refusal(result.stderr);
  }
  // --parsable prints "<id>" or "<id>;<cluster>"; a job_submit plugin may print lines before it.
  const id = /^(\d+)(?:;\S*)?$/m.exec(result.stdout.trim().split('\n').pop() ?? '')?.[1];
  if (!id) throw new RuntimeError(`sbatch answered without a job id: ${JSON.stringify(result.stdout.trim())}`);
  return id;
}

/** SLURM's message, on one line, with the fix when we know it. */
export function refusal(stderr: string): Error {
  const message = stderr
    .split('\n')
    .map((line) => line.replace(/^sbatch: error: /, '').trim())
    .filter(Boolean)
    .join('; ');
  if (/invalid partition/i.test(message)) {
    return new UsageError(`sbatch refused the job: ${message}; set slurm.partition in runs.config.ts to one that 'sinfo -s' lists`);
  }
  if (/unable to contact|socket timed out|connection refused|zero bytes/i.test(message)) {
    return new RuntimeError(`cannot reach the SLURM controller: ${message}; check 'sinfo', then try again`);
  }
  return new UsageError(`sbatch refused the job: ${message}; check the slurm section of runs.config.ts`);
}

/**
 * The jobs SLURM has queued or running for a user, by job id; null when squeue cannot answer
 * (the controller is down), so that nobody mistakes "no answer" for "no job".
 */
export function queuedJobs(user: string | undefined): Map<string, JobInfo> | null {
  // -r: one line per array task (`12_3`), as a sweep's runs record them; without it the tasks
  // still waiting are folded into one `12_[3-5%2]`.
  const result = runSync('squeue', ['-h', '-r', ...(user ? ['-u', user] : []), '-o', SQUEUE_FORMAT]);
  if (!result.ok) return null;
  return new Map(parseSqueue(result.stdout).map((job) => [job.jobId, job]));
}

/** One job's queue entry; undefined when it has left the queue, null when squeue cannot answer. */
export async function queuedJob(jobId: string): Promise<JobInfo | undefined | null> {
  const result = await runAsync('squeue', ['-h', '-r', '-j', jobId, '-o', SQUEUE_FORMAT]);
  if (!result.ok) return /invalid job id/i.test(result.stderr) ? undefined : null;
  return parseSqueue(result.stdout).find((job) => job.jobId === jobId);
}

/** False once sacct has said "Slurm accounting storage is disabled". */
let accountingStorage = true;

/**
 * How a job that left the queue ended: from accounting (`sacct -X`) where it is configured, else
 * from the job-completion log (`sacct -c`), else from the controller's memory (`scontrol show job`,
 * MinJobAge, 300 s by default). Null when none of them knows the job.
 */
export function endedJob(jobId: string): JobInfo | null {
  if (accountingStorage) {
    const accounting = runSync('sacct', ['-X', '-n', '-P', '-j', jobId, '-o', SACCT_FIELDS]);
    const fromAccounting = accounting.ok ? parseSacct(accounting.stdout, jobId) : null;
    if (fromAccounting) return fromAccounting;
    // Asked once per process: `ls` over many ended jobs need not hear it again for each.
    if (!accounting.ok && /accounting storage is disabled/i.test(accounting.stderr)) accountingStorage = false;
  }
  const completion = runSync('sacct', ['-c', '-n', '-P', '-j', jobId, '-o', SACCT_FIELDS]);
  const fromCompletion = completion.ok ? parseSacct(completion.stdout, jobId) : null;
  if (fromCompletion) return fromCompletion;
  const controller = runSync('scontrol', ['show', 'job', jobId]);
  return controller.ok ? parseScontrol(controller.stdout, jobId) : null;
}

/** `scancel`, with a signal for the script (`--full`: without it the signal reaches no process). */
export async function cancel(jobId: string, signal?: 'INT' | 'TERM'): Promise<{ ok: boolean; message: string }> {
  const args = signal ? [`--signal=${signal}`, '--full', jobId] : [jobId];
  const result = await runAsync('scancel', args);
  return result.ok ? { ok: true, message: '' } : { ok: false, message: result.stderr };
}

/** squeue's fields for listing rl-run's jobs: id, state, the batch script it runs, and the name (last: it may hold '|'). */
const ORPHAN_FORMAT = '%i|%T|%o|%j';

/**
 * The queued and running jobs of this user that carry an rl-run job name (`rlrun-<run id>`), with
 * the run directory their batch script lies in, for `clean --orphaned` to match against the
 * records. Null where SLURM cannot be asked (not installed, controller down): there is nothing to
 * clean there. A job already completing is ending by itself and is left out.
 */
export async function listRlRunJobs(user: string = currentUser()): Promise<OrphanCandidate[] | null> {
  const result = await runAsync('squeue', ['-h', '-u', user, '-o', ORPHAN_FORMAT]);
  if (!result.ok) return null;
  const jobs: OrphanCandidate[] = [];
  for (const line of result.stdout.split('\n')) {
    const [jobId, state, command, ...name] = line.trim().split('|');
    const runId = runIdOfJobName(name.join('|'));
    if (!jobId || !runId || state === 'COMPLETING') continue;
    const runDir = command && path.isAbsolute(command) && layoutOfDir(path.dirname(command)).batchScript === command ? path.dirname(command) : null;
    jobs.push({ handle: jobId, runId, runDir, live: true });
  }
  return jobs;
}

