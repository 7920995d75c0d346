import path from 'node:path';

/** The one place that knows where things live inside a run directory. */
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
}

export const RECORD_FILE = 'run.json';
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
    stopRequest: path.join(dir, 'stop-requested'),
    gitDiff: path.join(dir, 'git.diff'),
    outputIndex: path.join(dir, 'output.idx'),
  };
}
