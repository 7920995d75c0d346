import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { walkRunDir } from '../registry/run-dir/walk.js';
import { globToRegExp, matchesAny } from './glob.js';

export { DEFAULT_METRIC_FILES } from '../config/schema.js';

const SKIPPED_DIRS = new Set(['.git', 'node_modules', '__pycache__', '.venv', 'venv']);

/**
 * The files under `runDir` whose run-relative path matches one of `globs`, sorted. Symlinked
 * folders are not entered, and a symlinked file counts only when it resolves inside the run dir.
 */
export async function findMetricFiles(runDir: string, globs: readonly string[]): Promise<string[]> {
  const patterns = globs.map(globToRegExp);
  const root = await realpath(runDir);
  const found: string[] = [];
  await walkRunDir(
    runDir,
    async (relative, entry) => {
      if (!(entry.isFile() || entry.isSymbolicLink()) || !matchesAny(relative, patterns)) return;
      const absolute = path.join(runDir, relative);
      if (entry.isSymbolicLink()) {
        const target = await realpath(absolute).catch(() => undefined);
        if (!target || !isInside(root, target)) return;
        if (!(await stat(target)).isFile()) return;
      }
      found.push(absolute);
    },
    SKIPPED_DIRS,
  );
  return found.sort();
}

function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
