import { closeSync, lstatSync, readdirSync, writeSync } from 'node:fs';
import path from 'node:path';
import { RuntimeError, UsageError, errorCode } from '../errors.js';
import { writeJsonAtomic } from './atomic.js';
import { makeRunId, parseId } from './id.js';
import { withLockFile } from './lock-holder.js';
import { ensurePrivateDir, openExclusive, readSmallRegularFile } from './safe-fs.js';
import { makeUnfinishedDir, publishDir, removeUnfinishedDir } from './unfinished-dir.js';
import { checkEntryName } from './safety.js';
import { type SweepRecord, checkSweepRecord } from './sweep-record.js';

/**
 * The sweeps' folder, `<runsDir>/.sweeps/<id>/`: the one owner of its paths and of every read and
 * write in it. A dot-folder, so the registry's listing (and with it `ls` and `clean`) never takes
 * it for a run. Each sweep has its record (`sweep.json`, written atomically and private like a
 * run's), the lock its writers take, and the batch scripts of its SLURM arrays.
 */
export const SWEEPS_DIR = '.sweeps';
const RECORD = 'sweep.json';
const LOCK = '.sweep.json.lock';
const RECORD_CAP = 8 * 1024 * 1024;

export function sweepsDir(runsDir: string): string {
  return path.join(runsDir, SWEEPS_DIR);
}

function sweepDir(runsDir: string, id: string): string {
  const named = checkEntryName(id);
  if (!named.ok) throw new UsageError(`'${id}' is not a sweep id: ${named.reason}`);
  assertRealDir(sweepsDir(runsDir));
  return path.join(sweepsDir(runsDir), id);
}

/** `.sweeps` itself must be a directory, not a link planted to send sweep writes elsewhere. */
function assertRealDir(dir: string): void {
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(dir);
  } catch {
    return; // not made yet: nothing is read from it, and createSweep makes it private
  }
  if (!stat.isDirectory()) throw new RuntimeError(`${dir} is ${stat.isSymbolicLink() ? 'a symlink' : 'not a directory'}; rl-run does not follow links in the runs directory: look at it yourself, or remove it`);
}

/** Makes a fresh sweep folder under a new id (never an existing one), published with its first record in it. */
export function createSweep(runsDir: string, name: string, now: Date, build: (id: string) => SweepRecord): SweepRecord {
  ensurePrivateDir(runsDir);
  const parent = sweepsDir(runsDir);
  ensurePrivateDir(parent);
  assertRealDir(parent);
  for (let attempt = 0; attempt < 50; attempt++) {
    const id = makeRunId(name, now);
    let unfinished: string;
    try {
      unfinished = makeUnfinishedDir(parent, id);
    } catch (error) {
      if (errorCode(error) === 'EEXIST') continue;
      throw error;
    }
    try {
      const record = build(id);
      writeJsonAtomic(path.join(unfinished, RECORD), record);
      publishDir(unfinished, parent, id);
      return record;
    } catch (error) {
      removeUnfinishedDir(unfinished);
      throw error;
    }
  }
  throw new RuntimeError(`could not find a free sweep id for '${name}' after 50 tries`);
}

/** Writes the whole record, atomically. Callers hold the sweep's lock (withSweepLock), or made the folder a moment ago. */
export function writeSweep(runsDir: string, record: SweepRecord): void {
  writeJsonAtomic(path.join(sweepDir(runsDir, record.id), RECORD), record);
}

/** The record, read as a regular file never through a link, and checked; a UsageError says what is wrong. */
export function readSweep(runsDir: string, id: string): SweepRecord {
  const dir = sweepDir(runsDir, id);
  try {
    if (!lstatSync(dir).isDirectory()) throw new UsageError(`${dir} is not a sweep folder (a symlink?): look at it yourself`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`no sweep '${id}' in ${runsDir}: 'rl-run sweep ls' lists them`);
  }
  const text = readSmallRegularFile(path.join(dir, RECORD), RECORD_CAP + 1);
  if (text === null || text.length > RECORD_CAP) throw new RuntimeError(`${path.join(dir, RECORD)} is missing, not a regular file, or too large`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new RuntimeError(`${path.join(dir, RECORD)} is not valid JSON`);
  }
  const checked = checkSweepRecord(parsed, id);
  if (!checked.ok) throw new RuntimeError(`${path.join(dir, RECORD)}: ${checked.reason}`);
  return checked.sweep;
}

/** Every sweep's id, newest first (by the time in the id). */
export function listSweepIds(runsDir: string): string[] {
  let names: string[];
  assertRealDir(sweepsDir(runsDir));
  try {
    names = readdirSync(sweepsDir(runsDir));
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return [];
    throw new RuntimeError(`cannot read ${sweepsDir(runsDir)} (${errorCode(error)})`);
  }
  return names
    .filter((name) => checkEntryName(name).ok && parseId(name) !== null)
    .sort((a, b) => {
      const [ta, tb] = [parseId(a)!.timestamp, parseId(b)!.timestamp];
      return ta === tb ? (a < b ? 1 : -1) : ta < tb ? 1 : -1;
    });
}

/** A sweep by full id, unique id prefix, name (its newest sweep), or `latest`. */
export function resolveSweep(runsDir: string, selector: string): string {
  const ids = listSweepIds(runsDir);
  if (ids.length === 0) throw new UsageError(`no sweeps in ${runsDir} yet; make one with 'rl-run sweep <script> --grid KEY=V1,V2 --seeds 3'`);
  if (selector === 'latest') return ids[0]!;
  if (ids.includes(selector)) return selector;
  const byName = ids.find((id) => parseId(id)!.name === selector);
  if (byName) return byName;
  const prefixed = ids.filter((id) => id.startsWith(selector));
  if (prefixed.length === 1) return prefixed[0]!;
  if (prefixed.length > 1) throw new UsageError(`'${selector}' matches ${prefixed.length} sweeps: ${prefixed.slice(0, 5).join(', ')}; type more of the id`);
  throw new UsageError(`no sweep matches '${selector}'; the newest are ${ids.slice(0, 3).join(', ')}`);
}

/** Writes a SLURM array's batch script into the sweep's folder (private, made once); returns its path. */
export function writeArrayScript(runsDir: string, id: string, text: string): string {
  const dir = sweepDir(runsDir, id);
  for (let n = 1; n < 10_000; n++) {
    const file = path.join(dir, `array-${n}.sh`);
    try {
      const fd = openExclusive(file);
      try {
        writeSync(fd, text);
      } finally {
        closeSync(fd);
      }
      return file;
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    }
  }
  throw new RuntimeError(`too many array scripts in ${dir}`);
}

/** How long a second `sweep resume` waits for the first before it gives up. */
const LOCK_WAIT_MS = 10 * 60_000;

/**
 * Holds the sweep's lock while `action` runs (async: a resume decides which cells to start and
 * starts them under it, so two resumes at once cannot both start the same cell). The holder's pid
 * and start time are in the file; a lock left by a process that died is taken over.
 */
export function withSweepLock<T>(runsDir: string, id: string, action: () => Promise<T>, onWait?: (holder: string) => void): Promise<T> {
  const lock = path.join(sweepDir(runsDir, id), LOCK);
  return withLockFile(
    lock,
    {
      timeoutMs: LOCK_WAIT_MS,
      ...(onWait ? { onWait: (holder: string) => onWait(holder || 'another rl-run') } : {}),
      timedOut: (holder) => new RuntimeError(`sweep ${id} stayed locked for ${LOCK_WAIT_MS / 60_000} min by ${holder || 'an unknown process'}; remove ${lock} if no rl-run is running`),
    },
    action,
  );
}

