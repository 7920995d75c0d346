import type { RunRecord, RunStatus } from '../registry/record.js';
import { observePm2 } from './pm2/observe.js';
import { observeSlurm } from './slurm/observe.js';
import type { Observation } from '../registry/registry.js';

/** The observer for each backend; cheap and synchronous, so every listing can use it. */
export function observeRecord(record: RunRecord): Observation | null {
  switch (record.backend) {
    case 'pm2': {
      const status = observePm2(record);
      return status ? { status } : null;
    }
    case 'slurm':
      return observeSlurm(record);
    default:
      return null;
  }
}

/** Only the status part of `observeRecord`. */
export function observeStatus(record: RunRecord): RunStatus | null {
  return observeRecord(record)?.status ?? null;
}
