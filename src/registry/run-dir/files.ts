import { lstatSync, unlinkSync } from 'node:fs';
import { createExclusive } from '../safe-fs.js';
import { GIT_DIFF_FILE, type RunLayout } from './paths.js';

/**
 * The writes of a run's files other than its record and stop request: each made once, exclusively
 * (never through a symlink, never over a file that is there), by whoever creates the file.
 */

/** The script's two logs, empty, before anything can write to them. */
export function createOutputLogs(layout: RunLayout): void {
  createExclusive(layout.stdout);
  createExclusive(layout.stderr);
}

/** True when the run had one already: it was started before (a resumed run), and its runner appends to it. */
export function createRunnerLog(layout: RunLayout): boolean {
  // Only a regular file will do: pm2 opens it following links.
  if (isRegularFile(layout.runnerLog)) return true;
  createExclusive(layout.runnerLog);
  return false;
}

function isRegularFile(file: string): boolean {
  try {
    return lstatSync(file).isFile();
  } catch {
    return false;
  }
}

/** Saves the uncommitted changes; returns the name run.json records them under. */
export function writeGitDiff(layout: RunLayout, diff: string): string {
  createExclusive(layout.gitDiff, diff);
  return GIT_DIFF_FILE;
}

export function writeBatchScript(layout: RunLayout, script: string): void {
  // A resumed run's next job gets its own script (with the resume arguments) in place of the last one.
  if (isRegularFile(layout.batchScript)) unlinkSync(layout.batchScript);
  createExclusive(layout.batchScript, script);
}
