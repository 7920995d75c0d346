import type { Backend } from '../registry/record.js';
import type { StoredRun } from '../registry/registry.js';

/**
 * What rl-run needs from whatever runs the process: pm2 on one machine, a cluster scheduler
 * elsewhere. Commands talk to this interface only.
 */
export interface Supervisor {
  readonly backend: Backend;
  /** Starts the run whose record (status `starting`) is already on disk. `env` is the script's full environment. */
  start(run: StoredRun, env: Record<string, string>): Promise<void>;
  /** Asks the script to end (SIGINT), kills what is left after `timeoutMs`, returns once it has ended. */
  stop(run: StoredRun, timeoutMs: number): Promise<StopOutcome>;
}

export type StopOutcome = 'stopped' | 'killed' | 'already-ended';
