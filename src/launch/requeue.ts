import { describeError } from '../errors.js';
import { slurmResumable } from '../resume/plan.js';
import type { Registry, StoredRun } from '../registry/registry.js';
import { backendOf } from '../supervisor/index.js';
import { type ResumeOutcome, resumeRun } from './resume.js';

/**
 * `slurm.requeue`: a cluster job that hit its time limit or was preempted continues as the run's
 * next attempt. Nothing on the cluster side waits to submit it, so the next `ls` (or `resurrect`)
 * does, once per progress: a job that ended without a newer checkpoint than it started from is not
 * submitted again (it would time out the same way forever).
 */
export async function requeueEnded(
  registry: Registry,
  runs: readonly StoredRun[],
): Promise<{ id: string; outcome?: ResumeOutcome; problem?: string }[]> {
  const done: { id: string; outcome?: ResumeOutcome; problem?: string }[] = [];
  for (const run of runs) {
    if (backendOf(run.record.backend).local || !slurmResumable(run.record)) continue;
    try {
      done.push({ id: run.record.id, outcome: await resumeRun(registry, run, { requireCheckpoint: true, requireProgress: true, dryRun: false }) });
    } catch (error) {
      done.push({ id: run.record.id, problem: describeError(error) });
    }
  }
  return done;
}
