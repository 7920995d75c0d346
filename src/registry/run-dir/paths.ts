import path from 'node:path';

/** Where things live inside a run directory: every name of a run's files is here and nowhere else. */
export interface RunLayout {
  dir: string;
  record: string;
  stdout: string;
  stderr: string;
  /** Diagnostics of our own runner process (pm2 writes its output here). */
  runnerLog: string;
  /** Created by `rl-run stop`; tells the runner that the end it sees was asked for. */
  stopRequest: string;
  gitDiff: string;
  /** Sizes of stdout.log and stderr.log sampled by the runner, to order their lines (logs/interleave.ts). */
  outputIndex: string;
  /** The batch script a SLURM run was submitted with, kept with the run. */
  batchScript: string;
  /** Taken by every writer of run.json (record-file.ts). */
  recordLock: string;
  /** What the console logs gave so far, so metrics/compare read only what was appended (metrics/metrics-cache.ts). */
  metricsCache: string;
  /** The runner's latest reading of its script's CPU and memory, and the peak RSS seen (runner/resource-sampler.ts). */
  resources: string;
}

export const RECORD_FILE = 'run.json';
export const RECORD_LOCK_FILE = '.run.json.lock';
/** Recorded in run.json relative to the run directory (GitInfo.diffFile). */
export const GIT_DIFF_FILE = 'git.diff';
const STOP_REQUEST_FILE = 'stop-requested';
export const TRASH_DIR = '.trash';

export function runLayout(runsDir: string, id: string): RunLayout {
  const dir = path.join(runsDir, id);
  return layoutOfDir(dir);
}

export function layoutOfDir(dir: string): RunLayout {
  return {
    dir,
    record: path.join(dir, RECORD_FILE),
    stdout: path.join(dir, 'stdout.log'),
    stderr: path.join(dir, 'stderr.log'),
    runnerLog: path.join(dir, 'runner.log'),
    stopRequest: path.join(dir, STOP_REQUEST_FILE),
    gitDiff: path.join(dir, GIT_DIFF_FILE),
    outputIndex: path.join(dir, 'output.idx'),
    batchScript: path.join(dir, 'slurm-job.sh'),
    recordLock: path.join(dir, RECORD_LOCK_FILE),
    metricsCache: path.join(dir, '.metrics-cache.json'),
    resources: path.join(dir, 'resources.json'),
  };
}

/** The temporary name a stop request is written under before it is linked into place. */
export function stopRequestTemp(layout: RunLayout, unique: string): string {
  return path.join(layout.dir, `.${STOP_REQUEST_FILE}.${unique}.partial`);
}
