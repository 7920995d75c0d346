import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/**
 * Says, with a few stat calls, whether cosmiconfig's search could find anything at all, so that a
 * project without a config never pays for loading cosmiconfig (~20 ms of every command's start).
 * It errs towards "maybe": anything that could be a config sends the search to cosmiconfig.
 */
export function mayHaveConfig(cwd: string, searchPlaces: readonly string[], moduleName: string, projectOnly: boolean): boolean {
  const stopDir = path.resolve(homedir());
  for (let dir = path.resolve(cwd); ; ) {
    for (const place of searchPlaces) {
      const file = path.join(dir, place);
      if (!existsSync(file)) continue;
      if (place !== 'package.json') return true;
      if (packageHasKey(file, moduleName)) return true;
      // cosmiconfig's project search stops at the first package.json.
      if (projectOnly) return false;
    }
    const parent = path.dirname(dir);
    if (parent === dir || (!projectOnly && dir === stopDir)) break;
    dir = parent;
  }
  if (projectOnly) return false;
  const globalDir = path.join(process.env.XDG_CONFIG_HOME || path.join(homedir(), '.config'), moduleName);
  return existsSync(globalDir);
}

function packageHasKey(file: string, key: string): boolean {
  try {
    return key in (JSON.parse(readFileSync(file, 'utf8')) as object);
  } catch {
    // A broken package.json: let cosmiconfig report it.
    return true;
  }
}
