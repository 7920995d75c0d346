import { execFile } from 'node:child_process';
import type { GitInfo } from '../registry/record.js';
import { withoutRunIdentity } from '../process/index.js';

/** The git adapter: what commit a run's code came from, and its uncommitted changes. */
function git(cwd: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, env: withoutRunIdentity(process.env), maxBuffer: 64 * 1024 * 1024, timeout: 10_000 }, (error, stdout) =>
      resolve(error ? null : stdout),
    );
  });
}

/**
 * Commit, branch and dirty flag of the repository around `cwd`, or undefined outside one (or
 * without git). When dirty, the diff against HEAD is handed to `saveDiff`, which names where it went.
 */
export async function captureGit(cwd: string, saveDiff: (diff: string) => string): Promise<GitInfo | undefined> {
  const commit = (await git(cwd, ['rev-parse', 'HEAD']))?.trim();
  if (!commit) return undefined;
  const [branch, status] = await Promise.all([
    git(cwd, ['rev-parse', '--abbrev-ref', 'HEAD']),
    git(cwd, ['status', '--porcelain', '--untracked-files=no']),
  ]);
  const dirty = Boolean(status?.trim());
  const info: GitInfo = { commit, dirty };
  if (branch?.trim() && branch.trim() !== 'HEAD') info.branch = branch.trim();
  if (dirty) {
    const diff = await git(cwd, ['diff', 'HEAD']);
    if (diff) info.diffFile = saveDiff(diff);
  }
  return info;
}
