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
  /**
   * Asks the script to end (SIGINT), kills what is left after `timeoutMs`, returns once it has ended.
   * A stop already under way for the run is joined: its deadline holds and nothing is sent twice.
   * `onProgress` hears, as it waits, what it waits for.
   */
  stop(run: StoredRun, timeoutMs: number, onProgress?: (progress: StopProgress) => void): Promise<StopOutcome>;
}

/** What a stop is waiting for: the run to come up (then it gets SIGINT), to save, or to end after SIGKILL. */
export interface StopProgress {
  id: string;
  phase: 'start' | 'save' | 'end';
  /** Epoch ms: when the SIGINT went out (phase save) or the stop was asked for (phase start). */
  since: number;
  /** Epoch ms: when what is left gets SIGKILL. */
  deadline: number;
}

export type StopOutcome = 'stopped' | 'killed' | 'already-ended';
