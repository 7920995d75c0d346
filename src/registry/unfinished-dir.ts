import { lstatSync, readdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { errorCode } from '../errors.js';
import { mkdirPrivate } from './safe-fs.js';
import { removeTree } from './safety.js';

/**
 * A run's or a sweep's directory is built under a hidden name beside its final place and renamed
 * into place once its record is in it, so no reader ever sees a directory without its record: a
 * reboot in the middle of `rl-run start` (the reliability suite's reboots hit the moment between
 * the directory and its run.json) leaves either the whole run or nothing but a hidden leftover,
 * which `clean --orphaned` removes once no start can still be filling it.
 */
export const UNFINISHED_PREFIX = '.unfinished-';

/** Makes `parent/.unfinished-<name>` (private); EEXIST when `name` is taken or being made by someone else. */
export function makeUnfinishedDir(parent: string, name: string): string {
  if (entryExists(path.join(parent, name))) throw taken(path.join(parent, name));
  const dir = path.join(parent, UNFINISHED_PREFIX + name);
  mkdirPrivate(dir);
  return dir;
}

/** Renames the finished directory to `parent/name`; EEXIST when something took that name meanwhile. */
export function publishDir(unfinished: string, parent: string, name: string): string {
  const target = path.join(parent, name);
  // rename(2) puts a directory over an empty one without a word: a name taken is checked first.
  if (entryExists(target)) throw taken(target);
  try {
    renameSync(unfinished, target);
  } catch (error) {
    if (errorCode(error) === 'ENOTEMPTY') throw taken(target);
    throw error;
  }
  return target;
}

/** Removes an unfinished directory (a start that failed before its record was whole). */
export function removeUnfinishedDir(dir: string): void {
  // A link or a file planted under the name is not ours.
  if (path.basename(dir).startsWith(UNFINISHED_PREFIX) && isRealDirectory(dir)) removeTree(dir);
}

/** The unfinished directories in `parent`: real directories only, never a link. */
export function listUnfinishedDirs(parent: string): string[] {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return [];
  }
  return names.filter((name) => name.startsWith(UNFINISHED_PREFIX)).map((name) => path.join(parent, name)).filter(isRealDirectory);
}

/** A directory, not a link to one; false when it is gone (published or removed by its maker meanwhile). */
function isRealDirectory(dir: string): boolean {
  try {
    return lstatSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function entryExists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch (error) {
    return errorCode(error) !== 'ENOENT';
  }
}

function taken(file: string): Error {
  return Object.assign(new Error(`${file} already exists`), { code: 'EEXIST' });
}
