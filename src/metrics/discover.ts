import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { globToRegExp, matchesAny } from './glob.js';

export { DEFAULT_METRIC_FILES } from '../config/schema.js';

// Deep trees under a run dir are checkpoints and virtualenvs, not logs; this bounds the walk.
const MAX_DEPTH = 8;
const SKIPPED_DIRS = new Set(['.git', 'node_modules', '__pycache__', '.venv', 'venv']);

/**
 * The files under `runDir` whose run-relative path matches one of `globs`, sorted. Symlinked
 * folders are not entered, and a symlinked file counts only when it resolves inside the run dir.
 */
export async function findMetricFiles(runDir: string, globs: readonly string[]): Promise<string[]> {
  const patterns = globs.map(globToRegExp);
  const root = await realpath(runDir);
  const found: string[] = [];
  await walk(runDir, '', 0, async (relative, entry) => {
    if (!matchesAny(relative, patterns)) return;
    const absolute = path.join(runDir, relative);
    if (entry.isSymbolicLink()) {
      const target = await realpath(absolute).catch(() => undefined);
      if (!target || !isInside(root, target)) return;
      if (!(await stat(target)).isFile()) return;
    }
    found.push(absolute);
  });
  return found.sort();
}

async function walk(
  dir: string,
  relative: string,
  depth: number,
  onFile: (relative: string, entry: Dirent) => Promise<void>,
): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [] as Dirent[]);
  for (const entry of entries) {
    const rel = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) {
      if (depth < MAX_DEPTH && !SKIPPED_DIRS.has(entry.name)) await walk(path.join(dir, entry.name), rel, depth + 1, onFile);
    } else if (entry.isFile() || entry.isSymbolicLink()) {
      await onFile(rel, entry);
    }
  }
}

function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
