import type { StopProgress } from '../format/stop-progress.js';
import type { Backend as BackendName, RunRecord } from '../registry/record.js';
import type { Observation, Registry, StoredRun } from '../registry/registry.js';

/**
 * What rl-run needs from whatever runs the process: pm2 on one machine, a cluster scheduler
 * elsewhere. Commands talk to this interface only.
 */
export interface Supervisor {
  readonly backend: BackendName;
  /** Starts the run whose record (status `starting`) is already on disk. `env` is the script's full environment. */
  start(run: StoredRun, env: Record<string, string>): Promise<void>;
  /**
   * Asks the script to end (SIGINT), kills what is left after `timeoutMs`, returns once it has ended.
   * A stop already under way for the run is joined: its deadline holds and nothing is sent twice.
   * `onProgress` hears, as it waits, what it waits for.
   */
  stop(run: StoredRun, timeoutMs: number, onProgress?: (progress: StopProgress) => void): Promise<StopOutcome>;
  /**
   * Where the backend takes many runs as one submission (SLURM's job array): starts these runs
   * (records on disk, status `starting`) together, each still its own run. `writeScript` keeps the
   * submission's own script where its caller says; `parallelism` caps how many run at once.
   */
  startMany?(runs: { run: StoredRun; env: Record<string, string> }[], options: StartManyOptions): Promise<{ handle: string }>;
}

export interface StartManyOptions {
  parallelism?: number | undefined;
  writeScript: (text: string) => string;
}

export type { StopProgress };

export type StopOutcome = 'stopped' | 'killed' | 'already-ended';

/** A backend's own entry that may have outlived its run (a pm2 process entry, a SLURM job). */
export interface OrphanCandidate {
  /** What the backend removes it by: the pm2 name, the SLURM job id. */
  handle: string;
  runId: string;
  /** The run directory it was started for, where the backend can tell. */
  runDir: string | null;
  /** Still running (pm2 online; a SLURM job pending or running). */
  live: boolean;
}

/**
 * Everything rl-run knows about one backend, registered once in the table of ./index.ts. A new
 * backend is a folder beside pm2/ and slurm/ and one line in that table: nothing else names it.
 */
export interface Backend {
  readonly name: BackendName;
  /**
   * Runs on this machine under rl-run's own runner: the record's pids and hostname mean something,
   * and the runner records each attempt (and its separator) itself. False for a cluster scheduler.
   */
  readonly local: boolean;
  /** Starting and stopping, loaded only when a command needs them. */
  supervisor(registry: Registry): Promise<Supervisor>;
  /** The record fields that name the run to this backend and are known before it starts (pm2's process name). */
  handleAtCreate(id: string): Partial<Pick<RunRecord, 'pm2Name'>>;
  /** The backend's handle of a run as recorded ({ pm2Name } or { slurmJobId }), for --json output. */
  handle(record: RunRecord): Partial<Pick<RunRecord, 'pm2Name' | 'slurmJobId'>>;
  /** Cheap and synchronous, so every listing can use it. */
  observe(record: RunRecord): Observation | null;
  /** `show`'s backend line: "pm2 (rlrun-X)", "slurm (job 12)". */
  describe(record: RunRecord): string;
  /** `started X<note>`: "" or " (SLURM job 12)". */
  startedNote(record: RunRecord): string;
  /** `ls`'s WHERE column, shown once some listed run is on a backend where it says more than the name. */
  where: ((record: RunRecord) => string) | null;
  /** What `clean --orphaned` plans to remove by (its ACTION column), e.g. 'scancel'. */
  readonly removeVerb: string;
  /** Whether rl-run's own queue (slots, GPU pool, --after) applies; a cluster scheduler queues its jobs itself. */
  readonly usesQueue: boolean;
  /** The backend's entries of rl-run runs; null when the backend cannot be asked here (no daemon, no SLURM). */
  listOrphans(): Promise<OrphanCandidate[] | null>;
  /** Removes entries listed by listOrphans, by handle. */
  removeOrphans(handles: readonly string[]): Promise<void>;
}
