import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { ownershipProblem } from '../registry/safe-fs.js';

/**
 * Where a config may be, found with a few stat calls, so that a project without a config never pays
 * for loading cosmiconfig (~20 ms of every command's start), and so that the search never reaches a
 * file a stranger could have written: a config is code, and rl-run runs it. Without this, a
 * `runs.config.ts` dropped in /tmp by another user ran as whoever typed `rl-run ls` below it
 * (issue 9, item 11). The walk up stops at the first folder owned by someone else or writable by
 * others (sticky /tmp included); cosmiconfig then only loads the files found here.
 */
export interface ConfigSearch {
  /** Existing files that may hold the config, in the order they are tried. */
  candidates: string[];
  /** Set when the walk stopped at a folder others could write to, with the config files it ignored there. */
  stoppedAt: { dir: string; reason: string; ignored: string[] } | null;
}

/** cosmiconfig's places in the user-level folder (~/.config/rl-run). */
const GLOBAL_PLACES = ['config', 'config.json', 'config.yaml', 'config.yml', 'config.js', 'config.ts', 'config.cjs', 'config.mjs'];

export function findConfigCandidates(
  cwd: string,
  searchPlaces: readonly string[],
  moduleName: string,
  projectOnly: boolean,
  uid: number = process.getuid?.() ?? 0,
): ConfigSearch {
  const candidates: string[] = [];
  let stoppedAt: ConfigSearch['stoppedAt'] = null;
  const stopDir = path.resolve(homedir());
  for (let dir = path.resolve(cwd); ; ) {
    const reason = dirProblem(dir, uid);
    const present = searchPlaces.map((place) => path.join(dir, place)).filter((file) => existsSync(file));
    if (reason) {
      const ignored = present.filter((file) => path.basename(file) !== 'package.json' || packageHasKey(file, moduleName));
      stoppedAt = { dir, reason, ignored };
      break;
    }
    let packageFound = false;
    for (const file of present) {
      if (path.basename(file) !== 'package.json') candidates.push(file);
      else {
        packageFound = true;
        if (packageHasKey(file, moduleName)) candidates.push(file);
      }
    }
    // cosmiconfig's project search stops at the first folder with a package.json.
    if (projectOnly && packageFound) break;
    const parent = path.dirname(dir);
    if (parent === dir || (!projectOnly && dir === stopDir)) break;
    dir = parent;
  }
  // The user's own config folder is still theirs when the walk up stopped at a shared folder (/tmp).
  if (!projectOnly) {
    const globalDir = path.join(process.env.XDG_CONFIG_HOME || path.join(homedir(), '.config'), moduleName);
    if (!dirProblem(globalDir, uid)) candidates.push(...GLOBAL_PLACES.map((place) => path.join(globalDir, place)).filter((file) => existsSync(file)));
  }
  return { candidates, stoppedAt };
}

/** Why a config file must not be run: owned by another user, or writable by others; null when it is the user's own. */
export function configFileProblem(file: string, uid: number = process.getuid?.() ?? 0): string | null {
  try {
    // The file a symlink leads to is what runs, so its owner and mode are what count.
    return ownershipProblem(statSync(file), uid);
  } catch {
    return null;
  }
}

function dirProblem(dir: string, uid: number): string | null {
  try {
    return ownershipProblem(statSync(dir), uid);
  } catch {
    return null;
  }
}

function packageHasKey(file: string, key: string): boolean {
  try {
    return key in (JSON.parse(readFileSync(file, 'utf8')) as object);
  } catch {
    // A broken package.json: let cosmiconfig report it.
    return true;
  }
}
