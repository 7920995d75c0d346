import type { Backend } from '../types.js';
import { observeSlurm } from './observe.js';

/** A SLURM cluster: a run is the batch job `rlrun-<id>`, recorded by its job id once sbatch answers. */
export const slurmBackend: Backend = {
  name: 'slurm',
  local: false,
  async supervisor(registry) {
    const { SlurmSupervisor } = await import('./supervisor.js');
    return new SlurmSupervisor(registry);
  },
  handleAtCreate: () => ({}),
  handle: (record) => (record.slurmJobId ? { slurmJobId: record.slurmJobId } : {}),
  observe: observeSlurm,
  describe: (record) => `slurm${record.slurmJobId ? ` (job ${record.slurmJobId})` : ''}`,
  startedNote: (record) => (record.slurmJobId ? ` (SLURM job ${record.slurmJobId})` : ''),
  /** "slurm 123 on node7" / "slurm 123 (Priority)" while it waits in the queue. */
  where(record) {
    const job = record.slurmJobId ? `slurm ${record.slurmJobId}` : 'slurm';
    const { status } = record;
    if (status.state === 'running' && status.node) return `${job} on ${status.node}`;
    if (status.state === 'pending' && status.reason) return `${job} (${status.reason})`;
    return job;
  },
  removeVerb: 'scancel',
  usesQueue: false,
  async listOrphans() {
    const { listRlRunJobs } = await import('./cli.js');
    return listRlRunJobs();
  },
  async removeOrphans(handles) {
    const { cancel } = await import('./cli.js');
    for (const jobId of handles) {
      const result = await cancel(jobId);
      if (!result.ok) throw new Error(`scancel ${jobId} failed: ${result.message}`);
    }
  },
};
