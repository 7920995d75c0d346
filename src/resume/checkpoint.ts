import { lstatSync } from 'node:fs';
import path from 'node:path';
import { globToRegExp } from '../metrics/glob.js';
import { walkRunDir } from '../registry/run-dir/walk.js';
import { sleep } from '../process/index.js';

/**
 * Finding the newest complete checkpoint of a run. The choice is pure (`chooseCheckpoint`); the
 * walk only lists regular files: symlinks are neither followed nor taken, so a link to another
 * user's file, or out of the run directory, is never handed to the script.
 */
export interface CheckpointFile {
  /** Relative to the run directory, `/`-separated. */
  relative: string;
  size: number;
  mtimeMs: number;
}

/** A file whose size has not changed for this long is taken as written (issue 14). */
export const STABLE_MS = 2_000;

/**
 * Pure: the newest file by modification time among `files`, skipping those that may still be
 * written: modified within STABLE_MS of `nowMs` and not seen at the same size `STABLE_MS` earlier
 * (`earlier`, the sizes of a first look). Ties go to the name sorted last (step_10 after step_9
 * only when the script pads; mtime decides first).
 */
export function chooseCheckpoint(
  files: readonly CheckpointFile[],
  nowMs: number,
  earlier?: ReadonlyMap<string, number>,
): CheckpointFile | null {
  const complete = files.filter((file) => {
    if (nowMs - file.mtimeMs >= STABLE_MS) return true;
    return earlier !== undefined && earlier.get(file.relative) === file.size && file.size > 0;
  });
  complete.sort((a, b) => b.mtimeMs - a.mtimeMs || (a.relative < b.relative ? 1 : -1));
  return complete[0] ?? null;
}

/** Every regular file under `runDir` matching `glob`, without following a symlink anywhere. */
export async function listCheckpoints(runDir: string, glob: string): Promise<CheckpointFile[]> {
  const pattern = globToRegExp(glob);
  const found: CheckpointFile[] = [];
  await walkRunDir(runDir, (relative, entry) => {
    if (!entry.isFile() || !pattern.test(relative)) return;
    try {
      const stat = lstatSync(path.join(runDir, relative));
      if (stat.isFile()) found.push({ relative, size: stat.size, mtimeMs: stat.mtimeMs });
    } catch {
      // gone between the listing and the stat (a rotation of old checkpoints)
    }
  });
  return found;
}

/**
 * The newest complete checkpoint's path relative to the run directory, or null. When the newest
 * match was modified in the last STABLE_MS, looks again after that long (`wait`): a file still
 * growing is passed over for the one before it.
 */
export async function newestCheckpoint(
  runDir: string,
  glob: string,
  wait: (ms: number) => Promise<void> = sleep,
): Promise<string | null> {
  const first = await listCheckpoints(runDir, glob);
  const now = Date.now();
  const settled = chooseCheckpoint(first, now);
  const fresh = first.some((file) => now - file.mtimeMs < STABLE_MS && (!settled || file.mtimeMs > settled.mtimeMs));
  if (!fresh) return settled?.relative ?? null;
  await wait(STABLE_MS);
  const sizes = new Map(first.map((file) => [file.relative, file.size]));
  return chooseCheckpoint(await listCheckpoints(runDir, glob), Date.now(), sizes)?.relative ?? null;
}
