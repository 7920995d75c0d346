import { lstatSync, readdirSync, realpathSync, rmdirSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { errorCode } from '../errors.js';

/**
 * What may be removed: only entries of runsDir (or of its trash) whose real location is inside
 * runsDir. Everything here answers with a reason instead of throwing, so a clean can report what it
 * refused and carry on with the rest.
 */
export type Check = { ok: true } | { ok: false; reason: string };

/** A run id or trash entry name is one plain path component: no separators, no `..`, no leading dot. */
export function checkEntryName(name: string): Check {
  if (name === '' || name.includes('/') || name.includes('\\') || name.includes('\0')) {
    return { ok: false, reason: `'${name}' is not a plain directory name` };
  }
  if (name.includes('..')) return { ok: false, reason: `'${name}' contains '..'` };
  if (name.startsWith('.')) return { ok: false, reason: `'${name}' starts with a dot` };
  return { ok: true };
}

/** True when `inner` is `outer` or below it (both already absolute and resolved). */
export function isInside(outer: string, inner: string): boolean {
  const relative = path.relative(outer, inner);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * May `parent/name` be moved or removed? `parent` must resolve inside runsDir, `name` must be a plain
 * name, and the entry must resolve inside runsDir too: a run directory that is a symlink leading out
 * is refused (moving or unlinking the link would be harmless, but a user who linked a directory in
 * from elsewhere did not ask rl-run to manage it).
 */
export function checkRemovable(runsDir: string, parent: string, name: string): Check {
  const named = checkEntryName(name);
  if (!named.ok) return named;
  let root: string;
  let realParent: string;
  try {
    root = realpathSync(runsDir);
    realParent = realpathSync(parent);
  } catch (error) {
    return { ok: false, reason: `cannot resolve ${parent} (${errorCode(error) ?? 'error'})` };
  }
  if (!isInside(root, realParent)) return { ok: false, reason: `${parent} resolves to ${realParent}, outside the runs directory ${root}` };
  const entry = path.join(parent, name);
  let real: string;
  try {
    real = realpathSync(entry);
  } catch (error) {
    const code = errorCode(error);
    // A dangling symlink cannot be resolved: it leads nowhere we know to be ours.
    return { ok: false, reason: code === 'ENOENT' ? `${entry} does not exist or is a dangling symlink` : `cannot resolve ${entry} (${code})` };
  }
  if (real === root || !isInside(root, real)) return { ok: false, reason: `${entry} resolves to ${real}, outside the runs directory ${root}` };
  return { ok: true };
}

/**
 * Removes a file or directory tree without ever following a symlink: a link is unlinked, never
 * descended into, so a link inside a run directory pointing at a dataset leaves the dataset intact.
 * (fs.rmSync does not follow links either today; this states it where it matters and is tested.)
 */
export function removeTree(target: string): void {
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(target);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return;
    throw error;
  }
  if (!stat.isDirectory()) {
    unlinkQuietly(target);
    return;
  }
  for (const name of readdirSync(target)) removeTree(path.join(target, name));
  try {
    rmdirSync(target);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
}

/** Bytes allocated on disk by a file or tree (like `du`), never following symlinks. */
export function diskUsage(target: string): number {
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(target);
  } catch {
    return 0;
  }
  const own = stat.blocks * 512;
  if (!stat.isDirectory()) return own;
  let total = own;
  let names: string[];
  try {
    names = readdirSync(target);
  } catch {
    return total;
  }
  for (const name of names) total += diskUsage(path.join(target, name));
  return total;
}
