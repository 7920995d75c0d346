import { type Stats, closeSync, constants, fstatSync, lstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { RuntimeError, errorCode } from '../../errors.js';
import { writeJsonAtomic } from '../atomic.js';
import { RECORD_FILE, RECORD_LOCK_FILE } from './paths.js';
import { parseRecord } from '../parse.js';
import { lockHolder, tryTakeLock } from '../lock-holder.js';
import { unlinkQuietly } from '../safe-fs.js';
import type { RunRecord } from '../record.js';

/**
 * Every read and every read-modify-write of a run.json goes through here.
 *
 * Reading: only a regular file, never through a symlink, never blocking. `run.json` as a FIFO hung
 * `ls`, `du` and `clean` forever, and a link to /dev/zero grew `ls` to 16 GB: the directory and the
 * file are lstat'ed, the file opened O_NOFOLLOW|O_NONBLOCK and fstat'ed again (it may have been
 * swapped in between), and a record over RECORD_CAP is damaged. A record whose `id` is not the name
 * of the directory it sits in (a copy `cp -r X X.bak`, or a hand-made `"id": "../outside"`) is
 * damaged too, so nothing is ever written anywhere but where it was read.
 *
 * Writing: under a lock file in the run directory, taken by every writer (the runner, stop, the
 * repairs of readers), so a reader that saw `running` and then found the runner gone cannot put
 * `lost` over an end the runner wrote in between: a repair is written only if the file still holds
 * the text it was decided on.
 */
export const RECORD_CAP = 16 * 1024 * 1024;
export const LOCK_FILE = RECORD_LOCK_FILE;

export type RecordText =
  | { ok: true; text: string }
  /** `gone`: the run directory itself does not exist (ENOENT); anything else is unreadable, not gone. */
  | { ok: false; reason: string; gone: boolean };

/** `foreign`: a readable record of another run (its id is not the directory's name): never written, never acted on. */
export type ReadRecord = { ok: true; record: RunRecord; text: string } | { ok: false; reason: string; gone: boolean; foreign?: true };

export function readRecordText(dir: string): RecordText {
  try {
    const stat = lstatSync(dir);
    if (!stat.isDirectory()) return fail(stat.isSymbolicLink() ? 'the run directory is a symlink' : 'the run directory is not a directory');
  } catch (error) {
    const code = errorCode(error);
    return code === 'ENOENT' ? { ok: false, reason: 'no run directory', gone: true } : fail(`unreadable run directory (${code ?? 'error'})`);
  }
  const file = path.join(dir, RECORD_FILE);
  let fd: number;
  try {
    const stat = lstatSync(file);
    if (!stat.isFile()) return fail(`run.json is ${kindOf(stat)}, not a regular file`);
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT') return fail('no run.json');
    if (code === 'ELOOP') return fail('run.json is a symlink, not a regular file');
    return fail(`unreadable run.json (${code ?? 'error'})`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return fail(`run.json is ${kindOf(stat)}, not a regular file`);
    if (stat.size > RECORD_CAP) return fail(`run.json is larger than ${RECORD_CAP / 1024 / 1024} MB`);
    // Read at most one byte past the cap: a file that grows while read is caught too.
    const buffer = Buffer.alloc(Math.min(stat.size + 4096, RECORD_CAP + 1));
    let length = 0;
    for (let n = 1; n > 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > RECORD_CAP) return fail(`run.json is larger than ${RECORD_CAP / 1024 / 1024} MB`);
    return { ok: true, text: buffer.toString('utf8', 0, length) };
  } catch (error) {
    return fail(`unreadable run.json (${errorCode(error) ?? 'error'})`);
  } finally {
    closeSync(fd);
  }
}

/** The record in `dir`, parsed and checked to belong there (`name`: the directory's name in the runs directory). */
export function readRecordIn(dir: string, name: string = path.basename(dir)): ReadRecord {
  const read = readRecordText(dir);
  if (!read.ok) return read;
  const parsed = parseRecord(read.text);
  if (!parsed.ok) return { ...parsed, gone: false };
  if (parsed.record.id !== name) {
    return { ...fail(`run.json names run '${parsed.record.id}', not its directory '${name}' (a copy?)`), foreign: true };
  }
  return { ok: true, record: parsed.record, text: read.text };
}

/**
 * Read-modify-write of the record in `dir`, under its lock; `change` sees the record as it is on
 * disk now and returns it unchanged (the same object) to write nothing.
 */
export function updateRecordIn(dir: string, change: (record: RunRecord) => RunRecord, name: string = path.basename(dir)): RunRecord {
  return withRecordLock(dir, () => {
    const current = readRecordIn(dir, name);
    if (!current.ok) throw new RuntimeError(`cannot update the run in ${dir}: ${current.reason}`);
    const next = change(current.record);
    if (next !== current.record) writeJsonAtomic(path.join(dir, RECORD_FILE), next);
    return next;
  });
}

/**
 * Writes `next` only if run.json still holds `seen`, the text it was decided on. False when someone
 * wrote in between (the runner recording the end it saw): the caller's decision is stale.
 */
export function replaceRecordIf(dir: string, seen: string, next: RunRecord): boolean {
  return withRecordLock(dir, () => {
    const now = readRecordText(dir);
    if (!now.ok || now.text !== seen) return false;
    writeJsonAtomic(path.join(dir, RECORD_FILE), next);
    return true;
  });
}

/** Writes a run's first record, or one a caller built whole (the launcher's), under the lock. */
export function writeRecordIn(dir: string, record: RunRecord): void {
  withRecordLock(dir, () => writeJsonAtomic(path.join(dir, RECORD_FILE), record));
}

const LOCK_TIMEOUT_MS = 10_000;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Holds `<dir>/.run.json.lock` (O_EXCL, holder's pid and start time inside) while `action` runs.
 * Synchronous, like every record write: a lock held by a process that died (pid and start time, so
 * a reused pid does not hold it) is taken over.
 */
export function withRecordLock<T>(dir: string, action: () => T): T {
  const lock = path.join(dir, LOCK_FILE);
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  for (let wait = 1; !tryTakeLock(lock); wait = Math.min(wait * 2, 50)) {
    if (Date.now() > deadline) throw new RuntimeError(`run.json in ${dir} stayed locked for ${LOCK_TIMEOUT_MS / 1000} s by ${lockHolder(lock) || 'an unknown process'}; remove ${lock} if no rl-run is running`);
    Atomics.wait(sleeper, 0, 0, wait);
  }
  try {
    return action();
  } finally {
    // Taken over as stale by someone who thought we were dead: then there is nothing to release.
    unlinkQuietly(lock);
  }
}




function fail(reason: string): { ok: false; reason: string; gone: false } {
  return { ok: false, reason, gone: false };
}

function kindOf(stat: Stats): string {
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isSymbolicLink()) return 'a symlink';
  if (stat.isDirectory()) return 'a directory';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'a special file';
}
