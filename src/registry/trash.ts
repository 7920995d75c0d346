import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, renameSync } from 'node:fs';
import path from 'node:path';
import { RuntimeError, UsageError, errorCode } from '../errors.js';
import { writeJsonAtomic } from './atomic.js';
import { idName } from './id.js';
import { ensurePrivateDir } from './safe-fs.js';
import { TRASH_DIR } from './run-dir/index.js';
import { type Check, checkEntryName, checkRemovable, isInside, removeTree } from './safety.js';

/**
 * The trash: a deleted run directory is renamed, untouched, to `<runsDir>/.trash/<id>` (same file
 * system, so the move is atomic and restores byte for byte), and the deletion is noted beside it in
 * `<runsDir>/.trash/<id>.deleted.json` rather than inside the run directory, so the run's own bytes
 * never change. `clean --purge` removes entries for good.
 */
export interface TrashEntry {
  id: string;
  dir: string;
  deletedAt: string;
  reason: string;
}

const NOTE_SUFFIX = '.deleted.json';

export function trashPath(runsDir: string): string {
  return path.join(runsDir, TRASH_DIR);
}

function notePath(runsDir: string, id: string): string {
  return path.join(trashPath(runsDir), `${id}${NOTE_SUFFIX}`);
}

/** Moves `<runsDir>/<id>` into the trash; refuses anything that does not resolve inside runsDir. */
export function moveToTrash(runsDir: string, id: string, reason: string, now: Date = new Date()): TrashEntry {
  const safe = checkRemovable(runsDir, runsDir, id);
  if (!safe.ok) throw new RuntimeError(`refused to delete ${id}: ${safe.reason}`);
  const trash = trashPath(runsDir);
  const target = path.join(trash, id);
  try {
    ensurePrivateDir(trash);
    const trashSafe = checkTrashDir(runsDir);
    if (!trashSafe.ok) throw new RuntimeError(`refused to delete ${id}: ${trashSafe.reason}`);
    if (existsSync(target)) throw new RuntimeError(`cannot move ${id} to the trash: ${target} already exists; 'rl-run clean --purge' empties the trash`);
    // The note first: if the disk is full it fails before anything moved.
    const entry: TrashEntry = { id, dir: target, deletedAt: now.toISOString(), reason };
    writeJsonAtomic(notePath(runsDir, id), { id, deletedAt: entry.deletedAt, reason });
    try {
      renameSync(path.join(runsDir, id), target);
    } catch (error) {
      removeTree(notePath(runsDir, id));
      throw error;
    }
    return entry;
  } catch (error) {
    if (error instanceof RuntimeError) throw error;
    throw fileError(error, `move ${id} to the trash`, runsDir);
  }
}

/** Everything in the trash, most recently deleted first. Entries without a note use the directory's ctime. */
export function listTrash(runsDir: string): TrashEntry[] {
  const trash = trashPath(runsDir);
  let names: string[];
  try {
    names = readdirSync(trash);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return [];
    throw fileError(error, 'read the trash', runsDir);
  }
  const entries: TrashEntry[] = [];
  for (const id of names) {
    if (id.endsWith(NOTE_SUFFIX) || id.startsWith('.')) continue;
    const dir = path.join(trash, id);
    let ctime: Date;
    try {
      const stat = lstatSync(dir);
      if (!stat.isDirectory()) continue;
      ctime = stat.ctime;
    } catch {
      continue;
    }
    const note = readNote(notePath(runsDir, id));
    entries.push({ id, dir, deletedAt: note?.deletedAt ?? ctime.toISOString(), reason: note?.reason ?? '' });
  }
  return entries.sort((a, b) => (a.deletedAt < b.deletedAt ? 1 : a.deletedAt > b.deletedAt ? -1 : a.id < b.id ? 1 : -1));
}

/** Picks a trash entry by full id, unique prefix or run name (its latest deletion). */
export function findInTrash(runsDir: string, selector: string): TrashEntry {
  const named = checkEntryName(selector);
  if (!named.ok) throw new UsageError(`cannot restore '${selector}': ${named.reason}`);
  const entries = listTrash(runsDir);
  const exact = entries.find((e) => e.id === selector);
  if (exact) return exact;
  const byName = entries.find((e) => idName(e.id) === selector);
  if (byName) return byName;
  const prefixed = entries.filter((e) => e.id.startsWith(selector));
  if (prefixed.length === 1) return prefixed[0]!;
  if (prefixed.length > 1) {
    throw new UsageError(`'${selector}' matches ${prefixed.length} runs in the trash: ${prefixed.slice(0, 5).map((e) => e.id).join(', ')}; type more of the id`);
  }
  throw new UsageError(`no run in the trash matches '${selector}': see 'rl-run ls --trash'`);
}

/** Renames a trash entry back to `<runsDir>/<id>`, as it was. */
export function restoreFromTrash(runsDir: string, id: string): string {
  const safe = checkRemovable(runsDir, trashPath(runsDir), id);
  if (!safe.ok) throw new RuntimeError(`refused to restore ${id}: ${safe.reason}`);
  const target = path.join(runsDir, id);
  if (existsSync(target)) throw new UsageError(`cannot restore ${id}: ${target} exists already`);
  try {
    renameSync(path.join(trashPath(runsDir), id), target);
  } catch (error) {
    throw fileError(error, `restore ${id}`, runsDir);
  }
  removeTree(notePath(runsDir, id));
  return target;
}

/** Removes a trash entry for good, never following a symlink inside it. */
export function purgeFromTrash(runsDir: string, id: string): void {
  const safe = checkRemovable(runsDir, trashPath(runsDir), id);
  if (!safe.ok) throw new RuntimeError(`refused to purge ${id}: ${safe.reason}`);
  try {
    removeTree(path.join(trashPath(runsDir), id));
    removeTree(notePath(runsDir, id));
  } catch (error) {
    throw fileError(error, `purge ${id}`, runsDir);
  }
}

/** The trash itself must be a real directory inside runsDir, not a link to somewhere else. */
function checkTrashDir(runsDir: string): Check {
  try {
    const root = realpathSync(runsDir);
    const real = realpathSync(trashPath(runsDir));
    if (real === root || !isInside(root, real)) return { ok: false, reason: `${trashPath(runsDir)} resolves to ${real}, outside the runs directory ${root}` };
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: `cannot resolve ${trashPath(runsDir)} (${errorCode(error) ?? 'error'})` };
  }
}

function readNote(file: string): { deletedAt?: string; reason?: string } | null {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (typeof value !== 'object' || value === null) return null;
    const note = value as Record<string, unknown>;
    return {
      ...(typeof note.deletedAt === 'string' ? { deletedAt: note.deletedAt } : {}),
      ...(typeof note.reason === 'string' ? { reason: note.reason } : {}),
    };
  } catch {
    return null;
  }
}

function fileError(error: unknown, action: string, runsDir: string): RuntimeError {
  const code = errorCode(error) ?? 'error';
  if (code === 'ENOSPC') return new RuntimeError(`cannot ${action}: no space left on the device of ${runsDir}; 'rl-run clean --purge' frees what the trash holds`);
  return new RuntimeError(`cannot ${action} (${code}): ${error instanceof Error ? error.message : String(error)}`);
}
