import { chmodSync, closeSync, constants, fchmodSync, fstatSync, lstatSync, mkdirSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { RuntimeError, errorCode } from '../errors.js';

/**
 * Every open of a file inside the runs directory goes through here, so that none follows a symlink
 * and everything rl-run creates is private to the user, whatever umask the shell or the pm2 daemon
 * has. A link planted as `stop-requested` made `stop` overwrite a file outside the runs directory,
 * and a `stdout.log` link made the runner append to one and `logs` read one (issue 9, items 7, 12).
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

const { O_APPEND, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_RDONLY, O_WRONLY } = constants;

/** A file rl-run refuses to open: a symlink, or not a regular file. The message is the one line a user sees. */
export class UnsafeFileError extends RuntimeError {
  constructor(
    readonly file: string,
    readonly what: string,
  ) {
    super(`${file} is ${what}; rl-run does not follow links or read special files in a run directory: look at it yourself, or remove it`);
    this.name = 'UnsafeFileError';
  }
}

/** Opens a file for reading; null when it does not exist. A symlink, FIFO or device is refused, and nothing blocks on it. */
export function openRegularForRead(file: string): number | null {
  let fd: number;
  try {
    fd = openSync(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw refusal(file, error);
  }
  assertRegular(fd, file);
  return fd;
}

/**
 * The first `maxBytes` of a regular file as text, never through a symlink and never blocking on a
 * FIFO; null when it is missing, not a regular file, or unreadable. For small files rl-run writes
 * itself and only ever reads whole: a stop request, a lock's holder.
 */
export function readSmallRegularFile(file: string, maxBytes: number): string | null {
  let fd: number | null;
  try {
    fd = openRegularForRead(file);
  } catch {
    return null;
  }
  if (fd === null) return null;
  try {
    const buffer = Buffer.alloc(maxBytes);
    return buffer.toString('utf8', 0, readSync(fd, buffer, 0, maxBytes, 0));
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Opens an existing or new file for appending, created private; a symlink or special file is refused. */
export function openForAppend(file: string): number {
  let fd: number;
  try {
    fd = openSync(file, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK, PRIVATE_FILE_MODE);
  } catch (error) {
    throw refusal(file, error);
  }
  assertRegular(fd, file);
  return fd;
}

/** Appends text to a file as openForAppend does. */
export function appendNoFollow(file: string, text: string): void {
  const fd = openForAppend(file);
  try {
    writeAll(fd, Buffer.from(text));
  } finally {
    closeSync(fd);
  }
}

/**
 * Creates a new private file; throws EEXIST when anything (a file, a link) is already there, so it
 * never writes through a name someone else put in place.
 */
export function createExclusive(file: string, data: string | Buffer = ''): void {
  const fd = openSync(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, PRIVATE_FILE_MODE);
  try {
    fchmodSync(fd, PRIVATE_FILE_MODE);
    writeAll(fd, typeof data === 'string' ? Buffer.from(data) : data);
  } finally {
    closeSync(fd);
  }
}

/** The fd of a new private file, opened exclusively (for temp files that are renamed into place). */
export function openExclusive(file: string): number {
  const fd = openSync(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, PRIVATE_FILE_MODE);
  fchmodSync(fd, PRIVATE_FILE_MODE);
  return fd;
}

/** Makes a private directory (0700 exactly, whatever the umask); EEXIST when it is there. */
export function mkdirPrivate(dir: string): void {
  mkdirSync(dir, { mode: PRIVATE_DIR_MODE });
  chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Makes `dir` private if it does not exist, creating its parents as usual; an existing one is left as it is. */
export function ensurePrivateDir(dir: string): void {
  try {
    mkdirPrivate(dir);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return;
    if (errorCode(error) !== 'ENOENT') throw error;
    mkdirSync(path.dirname(dir), { recursive: true });
    ensurePrivateDir(dir);
  }
}

/** Is `file` a symlink (or gone)? For files rl-run itself only ever creates as regular files. */
export function isSymlink(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Why a shared directory is not safe for rl-run's records: owned by another user, or writable by
 * others (they could plant links in it); null when it is fine or absent.
 */
export function unsafeDirReason(dir: string, uid = process.getuid?.() ?? 0): string | null {
  try {
    return ownershipProblem(lstatSync(dir), uid);
  } catch {
    return null;
  }
}

/** Owned by someone other than `uid` or root, or writable by group or others: what another user could change. */
export function ownershipProblem(stat: { uid: number; mode: number }, uid: number): string | null {
  if (stat.uid !== uid && stat.uid !== 0) return `is owned by another user (uid ${stat.uid})`;
  if (stat.mode & 0o022) return `is writable by ${stat.mode & 0o002 ? 'every user' : 'its group'} (mode ${(stat.mode & 0o7777).toString(8)})`;
  return null;
}

function writeAll(fd: number, buffer: Buffer): void {
  for (let offset = 0; offset < buffer.length; ) offset += writeSync(fd, buffer, offset, buffer.length - offset);
}

function assertRegular(fd: number, file: string): void {
  const stat = fstatSync(fd);
  if (stat.isFile()) return;
  closeSync(fd);
  throw new UnsafeFileError(file, stat.isFIFO() ? 'a FIFO' : stat.isDirectory() ? 'a directory' : 'not a regular file');
}

function refusal(file: string, error: unknown): Error {
  // O_NOFOLLOW on a symlink fails with ELOOP.
  if (errorCode(error) === 'ELOOP') return new UnsafeFileError(file, 'a symlink');
  // O_NONBLOCK|O_WRONLY on a FIFO nobody reads fails with ENXIO instead of hanging.
  if (errorCode(error) === 'ENXIO') return new UnsafeFileError(file, 'a FIFO');
  return error instanceof Error ? error : new RuntimeError(String(error));
}

/** Removes a file that may already be gone (or taken over by another process): whatever stops the unlink is not an error. */
export function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}
