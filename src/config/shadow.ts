import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import path from 'node:path';
import { SEARCH_PLACES } from './load.js';

/**
 * What a new config in `dir` would hide, for `init` to say so: the nearest project config in a
 * folder above (cosmiconfig stops at the first one it finds, so commands run in `dir` would no
 * longer see it), and the user-level config (`$XDG_CONFIG_HOME/rl-run/config.*`, by default
 * ~/.config/rl-run), which applies only where no project config is found.
 */
export function configAbove(dir: string): string | null {
  for (let current = path.dirname(path.resolve(dir)); ; current = path.dirname(current)) {
    for (const place of SEARCH_PLACES) {
      const file = path.join(current, place);
      if (existsSync(file) && (place !== 'package.json' || packageHasKey(file))) return file;
    }
    if (path.dirname(current) === current) return null;
  }
}

const USER_CONFIG_NAMES = ['config', 'config.json', 'config.yaml', 'config.yml', 'config.js', 'config.ts', 'config.cjs', 'config.mjs'];

/** The user-level config file, if there is one (and RL_RUN_NO_USER_CONFIG does not turn it off). */
export function userConfigFile(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.RL_RUN_NO_USER_CONFIG) return null;
  const dir = path.join(env.XDG_CONFIG_HOME || path.join(homedir(), '.config'), 'rl-run');
  return USER_CONFIG_NAMES.map((name) => path.join(dir, name)).find((file) => existsSync(file)) ?? null;
}

/** Can a config file in `dir` import 'rl-run' (installed in the project, not only globally)? */
export function rlRunResolvesFrom(dir: string): boolean {
  try {
    createRequire(path.join(dir, 'noop.js')).resolve('rl-run');
    return true;
  } catch {
    return false;
  }
}

function packageHasKey(file: string): boolean {
  try {
    return 'rl-run' in (JSON.parse(readFileSync(file, 'utf8')) as object);
  } catch {
    return false;
  }
}
