import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';

/** Deep trees under a run dir are checkpoints and virtualenvs, not what is looked for; this bounds a walk. */
const MAX_DEPTH = 8;

/**
 * Walks the files (and symlinks, not entered) under a run directory, calling `onFile` with each
 * one's run-relative `/`-separated path. Symlinked folders are never entered; folders named in
 * `skip` neither. Metric files and checkpoints are both found this way.
 */
export async function walkRunDir(
  runDir: string,
  onFile: (relative: string, entry: Dirent) => void | Promise<void>,
  skip: ReadonlySet<string> = new Set(),
): Promise<void> {
  const walk = async (dir: string, relative: string, depth: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => [] as Dirent[]);
    for (const entry of entries) {
      const rel = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (depth < MAX_DEPTH && !skip.has(entry.name)) await walk(path.join(dir, entry.name), rel, depth + 1);
      } else {
        await onFile(rel, entry);
      }
    }
  };
  await walk(runDir, '', 0);
}
