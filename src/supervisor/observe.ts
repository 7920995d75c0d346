import type { RunRecord, RunStatus } from '../registry/record.js';
import { observePm2 } from './pm2/observe.js';
import { observeSlurm } from './slurm/observe.js';

/** The observer for each backend; cheap and synchronous, so every listing can use it. */
export function observeStatus(record: RunRecord): RunStatus | null {
  switch (record.backend) {
    case 'pm2':
      return observePm2(record);
    case 'slurm':
      return observeSlurm(record);
    default:
      return null;
  }
}
