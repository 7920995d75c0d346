import { realpathSync } from 'node:fs';
import path from 'node:path';

/**
 * How the user can type this CLI again, for the hints it prints (`follow: … logs <id> -f`):
 * `rl-run` when that name on PATH is this very CLI, otherwise the `node …/cli.js` it was run as.
 * Right after `npm ci && npm run demo` rl-run is on no PATH, and a printed `rl-run logs …` failed.
 */
export function cliCommand(script: string | undefined = process.argv[1], env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  if (!script) return 'rl-run';
  const self = real(script);
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = real(path.join(dir, 'rl-run'));
    if (candidate !== null) return candidate === self ? 'rl-run' : nodeForm(script, cwd);
  }
  return nodeForm(script, cwd);
}

function nodeForm(script: string, cwd: string): string {
  const relative = path.relative(cwd, path.resolve(cwd, script));
  const shown = relative.startsWith('..') || path.isAbsolute(relative) ? path.resolve(cwd, script) : relative;
  return `node ${/^[\w@%+=:,./-]+$/.test(shown) ? shown : `'${shown.replaceAll("'", "'\\''")}'`}`;
}

function real(file: string): string | null {
  try {
    return realpathSync(file);
  } catch {
    return null;
  }
}
