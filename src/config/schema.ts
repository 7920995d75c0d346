/**
 * The configuration a project writes in runs.config.ts, and the defaults every key falls back to.
 * Defaults live here and nowhere else: explicit flags override config, config overrides defaults.
 */
export interface RestartPolicy {
  /** How many times a run that exits non-zero is started again inside the same run. 0 turns it off. */
  maxRestarts?: number;
  /** Wait between an attempt's end and the next start. */
  delayMs?: number;
}

/** How `backend: 'slurm'` runs are submitted; each key becomes the sbatch option named beside it. */
export interface SlurmConfig {
  /** --partition; SLURM's default partition when unset. `sinfo -s` lists them. */
  partition?: string;
  /** --time, the job's time limit: '30:00', '2-00:00:00'. A run that hits it fails with reason `timeout`. */
  time?: string;
  /** --cpus-per-task */
  cpusPerTask?: number;
  /** --mem per node: '16G'. A run that exceeds it fails with reason `oom`. */
  mem?: string;
  /** --gpus: '1', 'a100:2'. */
  gpus?: string;
  /** --gres, for clusters that ask for GPUs that way: 'gpu:1'. */
  gres?: string;
  /** --account */
  account?: string;
  /** --qos */
  qos?: string;
  /** More sbatch options, passed as given: ['--constraint=ib', '--nice=10']. */
  extraArgs?: string[];
  /** Shell lines run before the script: `module load`, `source venv/bin/activate`, … */
  setup?: string[];
  /**
   * A job that hits its time limit or is preempted continues as the run's next attempt, from its
   * newest checkpoint (needs `resume`): submitted with --signal so the script is warned first, and
   * resubmitted by the next `rl-run ls` or `rl-run resurrect`.
   */
  requeue?: boolean;
  /** --signal given with requeue: which signal, to whom, how many seconds before the limit. */
  signal?: string;
  /** K of a sweep's `sbatch --array=0-N%K`: how many of its runs SLURM runs at once (default: queue.maxParallel, else no cap). */
  arrayParallelism?: number;
}

/** The warning a requeued job's script gets before its time limit (sbatch --signal). */
export const DEFAULT_REQUEUE_SIGNAL = 'B:USR1@120';
/** `--signal=[{R|B}:]<sig_num>[@sig_time]`, as sbatch reads it: `B:USR1@120`, `USR2@300`, `B:10@60`. */
export const SIGNAL_SPEC = /^(?:[RB]{1,2}:)?(?:SIG)?([A-Z][A-Z0-9]*|\d{1,2})(?:@\d+)?$/i;

export interface MetricsConfig {
  /** Extra regexes applied to each stdout line; named groups become metrics. */
  patterns?: string[];
  /** Globs, relative to the run directory, of files metrics are read from. */
  files?: string[];
}

/** rl-run's own queue: with no `queue` section, `start` starts at once as it always did. */
export interface QueueConfig {
  /** At most this many runs running at once (queued runs wait for a slot). */
  maxParallel?: number;
  /** The GPU pool runs are placed on: indices, or 'auto' to read them from nvidia-smi. */
  gpus?: number[] | 'auto';
  /** How many runs may share one GPU. */
  runsPerGpu?: number;
}

export interface ResolvedQueueConfig {
  /** null: no limit on how many run at once. */
  maxParallel: number | null;
  /** null: no GPU pool (runs get no CUDA_VISIBLE_DEVICES and cannot ask for GPUs). */
  gpus: number[] | 'auto' | null;
  runsPerGpu: number;
}

/** A sweep declared in the config, started with `rl-run sweep NAME`. */
export interface SweepConfig {
  script: string;
  /** Each key's values; the sweep is their cartesian product times the seeds. */
  grid?: Record<string, (string | number)[]>;
  /** [1, 2, 3], '1-5', '1,4,9', or 5 (meaning 1-5). */
  seeds?: number[] | string | number;
  /** Fixed arguments, after defaults.args and before the grid's. */
  args?: string[];
  /** GPUs per run. */
  gpus?: number;
  name?: string;
  tags?: string[];
  argStyle?: 'flag' | 'equals' | 'hydra';
  seedKey?: string;
}

/** How a run continues from its newest checkpoint (rl-run resume, automatic restarts, resurrect). */
export interface ResumeConfig {
  /** Glob inside the run directory; the newest complete match is resumed from. */
  checkpoint: string;
  /** Appended to the run's arguments when resuming: {checkpoint}, {run_dir}, {attempt}. */
  args: string[];
  /** A crash loop ends after this many consecutive attempts with neither a new checkpoint nor a new metric step. */
  maxFruitlessAttempts?: number;
}

export interface ResolvedResume {
  checkpoint: string;
  args: string[];
  maxFruitlessAttempts: number;
}

/** A crash loop ends after this many attempts that saved no checkpoint and logged no new step. */
export const DEFAULT_MAX_FRUITLESS_ATTEMPTS = 3;

export interface WatchdogConfig {
  /** Flag a NaN or Inf in any metric value. */
  nan?: boolean;
  /** Flag a run with no new output and no new metric step for this long ('30m', '2h'), or 'auto'. */
  stall?: string | false;
  action?: 'notify' | 'stop' | 'resume';
}

/** The watchdog of a run, resolved: what the runner acts on (stored in the record's config). */
export interface ResolvedWatchdog {
  nan: boolean;
  /** A duration as written ('30m', '3s'), 'auto', or false for no stall check. */
  stall: string | false;
  action: 'notify' | 'stop' | 'resume';
}

export type NotifyEvent = 'failed' | 'lost' | 'succeeded' | 'stopped' | 'watchdog';

export interface ResolvedNotify {
  on: NotifyEvent[];
  command: string | null;
  webhook: string | null;
}

export interface NotifyConfig {
  /** Which ends and events are notified. */
  on?: NotifyEvent[];
  /** A shell command run with RL_RUN_ID, RL_RUN_NAME, RL_RUN_DIR, RL_RUN_STATUS, RL_RUN_EVENT, RL_RUN_EXIT_CODE set. */
  command?: string;
  /** A URL that gets a JSON POST ({text, run, event, lastMetrics, tail}): Slack, Discord, ntfy. */
  webhook?: string;
}

export interface UserConfig {
  /** Where run directories live; relative to the config file's folder. */
  runsDir?: string;
  /** Interpreter per file extension, e.g. { '.py': '/opt/venv/bin/python' }. */
  interpreters?: Record<string, string>;
  /** Variables set for every run. */
  env?: Record<string, string>;
  defaults?: {
    /** Arguments put before the ones given on the command line. */
    args?: string[];
    tags?: string[];
  };
  /** Template for run names: {script} (base name without extension), {date}, {user}. */
  name?: string;
  stop?: {
    /** Grace period between SIGINT and SIGKILL when a run is stopped. */
    timeoutMs?: number;
  };
  restart?: RestartPolicy;
  backend?: 'pm2' | 'slurm';
  slurm?: SlurmConfig;
  metrics?: MetricsConfig;
  queue?: QueueConfig;
  sweeps?: Record<string, SweepConfig>;
  resume?: ResumeConfig;
  watchdog?: WatchdogConfig;
  notify?: NotifyConfig;
  /** How a run's progress is known: total steps, e.g. '{total_timesteps}' (a placeholder names an argument). */
  progress?: { total?: string };
}

export interface ResolvedConfig {
  /** Absolute. */
  runsDir: string;
  interpreters: Record<string, string>;
  env: Record<string, string>;
  defaults: { args: string[]; tags: string[] };
  name: string;
  stop: { timeoutMs: number };
  restart: { maxRestarts: number; delayMs: number };
  backend: 'pm2' | 'slurm';
  slurm: SlurmConfig;
  metrics: { patterns: string[]; files: string[] };
  /** How runs continue from their newest checkpoint; null when not configured. */
  resume: ResolvedResume | null;
  /** `progress.total` as written (a number or `{argument}`); without it, totals come from the run's arguments. */
  progress: { total?: string };
  /** Sweeps declared in the config, by name (`rl-run sweep NAME`). */
  sweeps: Record<string, SweepConfig>;
  /** The watchdog every run gets (start --watchdog overrides it); null when the config has none. */
  watchdog: ResolvedWatchdog | null;
  /** Where a run's ends and watchdog events are sent; null when the config has no `notify`. */
  notify: ResolvedNotify | null;
  /** rl-run's own queue; null when the config has no `queue` section (start starts at once). */
  queue: ResolvedQueueConfig | null;
  /** The file the config came from, or null when running on defaults. */
  configFile: string | null;
}

export const DEFAULT_METRIC_FILES: readonly string[] = [
  '**/progress.csv',
  '**/*.monitor.csv',
  'monitor.csv',
  '**/progress.txt',
  '**/*.jsonl',
  '**/progress.json',
  '**/events.out.tfevents.*',
];

/** `watchdog`, `notify`, `queue` and `resume` have no default: each is off unless the config (or a flag) sets it. */
export const DEFAULTS: Omit<ResolvedConfig, 'runsDir' | 'configFile' | 'watchdog' | 'notify' | 'queue' | 'resume'> & { runsDir: string } = {
  runsDir: 'runs',
  interpreters: { '.py': 'python3', '.sh': 'bash', '.js': 'node', '.mjs': 'node' },
  env: {},
  defaults: { args: [], tags: [] },
  name: '{script}',
  stop: { timeoutMs: 30_000 },
  restart: { maxRestarts: 0, delayMs: 1_000 },
  backend: 'pm2',
  slurm: {},
  metrics: { patterns: [], files: [...DEFAULT_METRIC_FILES] },
  progress: {},
  sweeps: {},
};

/** What each key of a `queue` section falls back to; with no section at all, there is no queue (null). */
export const QUEUE_DEFAULTS: ResolvedQueueConfig = { maxParallel: null, gpus: null, runsPerGpu: 1 };

/** Gives a runs.config.ts its types and editor completion; returns its argument unchanged. */
export function defineConfig(config: UserConfig): UserConfig {
  return config;
}

/** The one shape config `progress.total` takes: a step count, or `{argument}` naming an argument of the run. */
export const PROGRESS_TOTAL = /^\s*(?:\{([A-Za-z_][\w.-]*)\}|[\d_.,eE+]+)\s*$/;

/** A variable name a shell, pm2 and a batch script all take as one plain word. */
export const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
