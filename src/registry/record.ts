import type { ProcessRef } from '../process/ref.js';
/**
 * The run record, as stored in <runDir>/run.json. The status is a discriminated union so that
 * impossible combinations (a running run with an exit code, a lost run with an end time it never
 * had) cannot be written down.
 */
export const SCHEMA_VERSION = 1;

export type Backend = 'pm2' | 'slurm';

export interface GitInfo {
  commit: string;
  branch?: string;
  dirty: boolean;
  /** File name, inside the run directory, of the diff saved when the tree was dirty. */
  diffFile?: string;
}

export type RunStatus =
  /** The record exists; the supervisor has not yet reported the process up. */
  | { state: 'starting' }
  /** Waiting in rl-run's own queue for a slot, a GPU or the runs it comes after (`reason` says which). */
  | { state: 'queued'; reason?: string }
  /** Queued by a cluster scheduler, not yet started. */
  | { state: 'pending'; reason?: string }
  /** `node`: where a cluster scheduler runs it (SLURM's node list). */
  | { state: 'running'; node?: string }
  | { state: 'succeeded'; endedAt: string; exitCode: 0 }
  | { state: 'failed'; endedAt: string; exitCode: number | null; signal: string | null; reason: string }
  /** `reason` only where the stop needs saying: a queued run cancelled before it started. */
  | { state: 'stopped'; endedAt: string; exitCode: number | null; signal: string | null; reason?: string }
  | { state: 'lost'; detectedAt: string; reason: string };

export type RunState = RunStatus['state'];

export const RUN_STATES: readonly RunState[] = [
  'queued',
  'starting',
  'pending',
  'running',
  'succeeded',
  'failed',
  'stopped',
  'lost',
];

export const ENDED_STATES: readonly RunState[] = ['succeeded', 'failed', 'stopped', 'lost'];

export function isEnded(status: RunStatus): boolean {
  return ENDED_STATES.includes(status.state);
}

/** A process rl-run watches: its pid and, on Linux, its start time so a reused pid is not mistaken for it. */
export type { ProcessRef };

export interface Attempt {
  startedAt: string;
  endedAt?: string;
  exitCode?: number | null;
  signal?: string | null;
  /** The checkpoint this attempt resumed from (absolute path), or null when it started from scratch. */
  checkpoint?: string | null;
  /** Why the attempt ended when it was not the script's own doing: 'supervisor-down', 'watchdog', … */
  endCause?: string;
}

/** The sweep a run belongs to, and the cell of the grid it runs (grid keys' values as written, and the seed). */
export interface SweepRef {
  id: string;
  cell: Record<string, string | number>;
}

/** What rl-run's queue knows about a run that waits or waited: its place and what it waits for. */
export interface QueueRequest {
  /** Higher first, then oldest first. */
  priority: number;
  /** Run ids that must succeed before this one starts. */
  after: string[];
  /** How many GPUs it asked for from the pool. */
  gpus: number;
  enqueuedAt: string;
}

/** Something rl-run noticed about a run while it ran (watchdog, resume, …), kept in its record. */
export interface RunEvent {
  at: string;
  kind: string;
  detail: string;
}

export interface RunRecord {
  schemaVersion: number;
  id: string;
  name: string;
  backend: Backend;
  /** Absolute path of the script, or null when a plain command was started. */
  script: string | null;
  args: string[];
  /** The full command line: interpreter, script and args, or the plain command. */
  command: string[];
  cwd: string;
  interpreter: string | null;
  tags: string[];
  /** Variables set for this run on top of the environment it was started from. */
  env: Record<string, string>;
  createdAt: string;
  startedAt?: string;
  status: RunStatus;
  /** The rl-run process that created the record; a starting run whose launcher died is lost. */
  launcher: ProcessRef;
  /** Our runner process, supervised by pm2. */
  runner?: ProcessRef;
  /** The training script's own process. */
  pid?: number;
  /** Start time of `pid` (see ProcessRef), so a reused pid is not taken for the script. */
  pidStartTime?: number;
  pm2Name?: string;
  slurmJobId?: string;
  /**
   * When `rl-run stop` asked a cluster job to end. A scheduler only says CANCELLED or COMPLETED;
   * this tells the observer, which sees nothing but the record, that the end was asked for.
   */
  stopRequestedAt?: string;
  hostname: string;
  user: string;
  rlRunVersion: string;
  git?: GitInfo;
  stopTimeoutMs: number;
  restart: { maxRestarts: number; delayMs: number };
  attempts: Attempt[];
  /** The run this one repeats (`rl-run restart`). */
  restartOf?: string;
  /** Arguments given to `rl-run restart … -- ARGS`, appended after the repeated run's own (already in `args`). */
  restartArgs?: string[];
  /** Set when the run is a cell of a sweep. */
  sweep?: SweepRef;
  /** Set when the run waited in (or went through) rl-run's queue. */
  queue?: QueueRequest;
  /** GPU indices the run was given (its CUDA_VISIBLE_DEVICES); [] when a pool is configured and it asked for none. */
  gpus?: number[];
  /** Watchdog and other noted events, oldest first. */
  events?: RunEvent[];
  /** Notification keys already sent (each event is notified once). */
  notified?: string[];
  /** The machine's boot id (/proc/sys/kernel/random/boot_id) when its last attempt started: another one now means a reboot took it. */
  bootId?: string;
  /** The resolved configuration the run was started with. */
  config: Record<string, unknown>;
}

/** Convenience fields flattened from the status, for display and JSON output. */
export function statusFields(status: RunStatus): {
  status: RunState;
  endedAt?: string;
  exitCode?: number | null;
  signal?: string | null;
  reason?: string;
} {
  switch (status.state) {
    case 'succeeded':
      return { status: status.state, endedAt: status.endedAt, exitCode: 0 };
    case 'failed':
      return {
        status: status.state,
        endedAt: status.endedAt,
        exitCode: status.exitCode,
        signal: status.signal,
        reason: status.reason,
      };
    case 'stopped':
      return { status: status.state, endedAt: status.endedAt, exitCode: status.exitCode, signal: status.signal, ...(status.reason ? { reason: status.reason } : {}) };
    case 'lost':
      return { status: status.state, reason: status.reason };
    case 'pending':
    case 'queued':
      return { status: status.state, ...(status.reason ? { reason: status.reason } : {}) };
    default:
      return { status: status.state };
  }
}
