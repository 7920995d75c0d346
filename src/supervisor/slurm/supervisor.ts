import { pollUntil } from '../../process/index.js';
import { requestStop, writeBatchScript } from '../../registry/run-dir/index.js';
import type { SlurmConfig } from '../../config/schema.js';
import { isEnded } from '../../registry/record.js';
import type { Registry, StoredRun } from '../../registry/registry.js';
import type { StartManyOptions, StopOutcome, Supervisor } from '../types.js';
import { assertSlurmAvailable, cancel, queuedJob, submit } from './cli.js';
import { forgetQueue } from './observe.js';
import { arrayBatchScript, arraySbatchArgs, batchScript, sbatchArgs, warningToIgnore } from './script.js';

const POLL_MS = 250;
/** After the final scancel, SLURM sends SIGTERM, waits KillWait (30 s by default), then SIGKILL. */
const AFTER_KILL_MS = 90_000;

/** Variables a run gets from rl-run itself; written into the batch script as well as exported. */
const RUN_VARIABLES = ['RL_RUN_ID', 'RL_RUN_DIR', 'RL_RUN_NAME', 'PYTHONUNBUFFERED'];

export class SlurmSupervisor implements Supervisor {
  readonly backend = 'slurm' as const;

  constructor(private readonly registry: Registry) {
    assertSlurmAvailable();
  }

  /**
   * Writes the batch script into the run directory, submits it, and records the job as pending.
   * The slurm section comes from the config snapshot in the record, so the record says what was asked for.
   */
  async start(run: StoredRun, env: Record<string, string>): Promise<void> {
    const { record, layout } = run;
    const slurm = (record.config.slurm ?? {}) as SlurmConfig;
    const runEnv = Object.fromEntries(RUN_VARIABLES.filter((key) => env[key] !== undefined).map((key) => [key, env[key]!]));
    // Private: it carries the run's environment (API keys). sbatch only reads it.
    writeBatchScript(layout, batchScript({ record, runEnv, setup: slurm.setup ?? [], ignoreSignal: warningToIgnore(slurm) }));
    const jobId = await submit(sbatchArgs({ runId: record.id, layout, cwd: record.cwd, slurm }), env, record.cwd);
    this.registry.update(record.id, (r) => ({ ...r, slurmJobId: jobId, status: { state: 'pending' } }));
  }

  /**
   * A sweep's runs as ONE job array: each run's own batch script is written as for a single run,
   * and array task i execs the i-th (the table is the array's script). Each run records its task as
   * `<array job>_<i>`, the id squeue -r, sacct and scancel know it by, so status, logs, stop and
   * compare work on it as on any SLURM run.
   */
  async startMany(runs: { run: StoredRun; env: Record<string, string> }[], options: StartManyOptions): Promise<{ handle: string }> {
    const first = runs[0];
    if (!first) throw new Error('startMany: no runs');
    const slurm = (first.run.record.config.slurm ?? {}) as SlurmConfig;
    for (const { run, env } of runs) {
      const runEnv = Object.fromEntries(RUN_VARIABLES.filter((key) => env[key] !== undefined).map((key) => [key, env[key]!]));
      writeBatchScript(run.layout, batchScript({ record: run.record, runEnv, setup: slurm.setup ?? [], ignoreSignal: warningToIgnore(slurm) }));
    }
    const scriptFile = options.writeScript(arrayBatchScript(runs.map(({ run }) => ({ id: run.record.id, layout: run.layout }))));
    const sweepId = first.run.record.sweep?.id ?? first.run.record.id;
    const args = arraySbatchArgs({ sweepId, count: runs.length, parallelism: options.parallelism, scriptFile, cwd: first.run.record.cwd, slurm });
    const jobId = await submit(args, first.env, first.run.record.cwd);
    runs.forEach(({ run }, index) => {
      this.registry.update(run.record.id, (r) => ({ ...r, slurmJobId: `${jobId}_${index}`, status: { state: 'pending' } }));
    });
    return { handle: jobId };
  }

  /**
   * SIGINT to the script (`scancel --signal=INT --full`), so it can checkpoint; after `timeoutMs`,
   * `scancel`. A job still queued has nothing to signal and is cancelled at once.
   */
  async stop(run: StoredRun, timeoutMs: number): Promise<StopOutcome> {
    const { record, layout } = run;
    if (isEnded(record.status)) return 'already-ended';
    const jobId = record.slurmJobId;
    const queued = jobId ? await queuedJob(jobId) : null;
    if (jobId && queued === undefined) {
      // It left the queue on its own before we asked: its end is its own, not a stop.
      await this.waitForEnd(record.id, jobId, AFTER_KILL_MS);
      return 'already-ended';
    }
    // Made once; a second stop joins the first (one SIGINT, the first one's deadline).
    const { request, created } = requestStop(layout, timeoutMs);
    const requestedAt = new Date(request.requestedAt).toISOString();
    this.registry.update(record.id, (r) => ({ ...r, stopRequestedAt: r.stopRequestedAt ?? requestedAt }));
    if (!jobId) {
      // Never submitted (its start was interrupted): there is nothing to cancel.
      this.registry.update(record.id, (r) =>
        isEnded(r.status) ? r : { ...r, status: { state: 'stopped', endedAt: requestedAt, exitCode: null, signal: null } },
      );
      return 'stopped';
    }
    if (queued?.state === 'PENDING') {
      await cancel(jobId);
      return (await this.waitForEnd(record.id, jobId, AFTER_KILL_MS)) ? 'stopped' : 'killed';
    }
    if (created) {
      const signalled = await cancel(jobId, 'INT');
      // "Job can not be altered now": it is between states (starting or ending); the poll below sees which.
      if (!signalled.ok && !/not be altered|already completing|invalid job id/i.test(signalled.message)) {
        await cancel(jobId);
      }
    }
    if (await this.waitForEnd(record.id, jobId, Math.max(0, request.deadline - Date.now()))) return 'stopped';
    await cancel(jobId);
    await this.waitForEnd(record.id, jobId, AFTER_KILL_MS);
    return 'killed';
  }

  /** Polls the queue until the job has left it and the registry has recorded the end; false at the deadline. */
  private async waitForEnd(id: string, jobId: string, timeoutMs: number): Promise<boolean> {
    return pollUntil(
      async () => {
        if ((await queuedJob(jobId)) !== undefined) return false;
        forgetQueue();
        const current = this.registry.read(id);
        return current.ok && isEnded(current.run.record.status);
      },
      timeoutMs,
      POLL_MS,
    );
  }
}
