import { closeSync, lstatSync, writeSync } from 'node:fs';
import { errorCode } from '../errors.js';
import { isAlive, processRef, sleep } from '../process/index.js';
import { openExclusive, readSmallRegularFile, unlinkQuietly } from './safe-fs.js';

/**
 * What a lock file holds: its holder as `<pid> <start time>`, so that a lock whose holder died,
 * or whose pid was reused since, is known to be free. Used by the pm2 connect lock and the record
 * lock, which before kept a copy each.
 */
export function holderText(): string {
  const me = processRef(process.pid);
  return `${me.pid} ${me.startTime ?? ''}`;
}

/** A lock file with no readable holder this old was left by a writer that died before writing it. */
const UNREADABLE_GRACE_MS = 2_000;

/** True when the lock's holder is gone (or it names none and is older than the grace). */
export function lockIsStale(lock: string): boolean {
  const [pid, startTime] = lockHolder(lock).split(' ').map((part) => Number.parseInt(part, 10));
  if (pid && pid > 0) return !isAlive(startTime ? { pid, startTime } : { pid });
  try {
    return Date.now() - lstatSync(lock).mtimeMs > UNREADABLE_GRACE_MS;
  } catch {
    return false;
  }
}

/** The holder written in a lock file ('' when unreadable), read without following a link or blocking. */
export function lockHolder(lock: string): string {
  return readSmallRegularFile(lock, 64)?.trim() ?? '';
}

/**
 * One try at a lock file: made with O_EXCL and our holder written in, or false when someone holds
 * it (a stale one, whose holder died, is removed so the next try can take it). The record lock and
 * the sweep, queue and pm2-connect locks (withLockFile) all take theirs this way.
 */
export function tryTakeLock(lock: string): boolean {
  let fd: number;
  try {
    fd = openExclusive(lock);
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
    // Someone else may take a stale lock over first: then the unlink finds nothing.
    if (lockIsStale(lock)) unlinkQuietly(lock);
    return false;
  }
  try {
    writeSync(fd, holderText());
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Holds the lock file while `action` runs, waiting for it (backing off from 10 ms to 100 ms) up to
 * `timeoutMs`; a lock whose holder died is taken over. `onWait` hears once who holds it; the error
 * `timedOut` makes is thrown when the wait runs out.
 */
export async function withLockFile<T>(
  lock: string,
  options: { timeoutMs: number; timedOut: (holder: string) => Error; onWait?: (holder: string) => void },
  action: () => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let told = false;
  for (let wait = 10; !tryTakeLock(lock); wait = Math.min(wait * 2, 100)) {
    if (!told) options.onWait?.(lockHolder(lock));
    told = true;
    if (Date.now() > deadline) throw options.timedOut(lockHolder(lock));
    await sleep(wait);
  }
  try {
    return await action();
  } finally {
    // Taken over as stale by someone who thought we were dead: then there is nothing to release.
    unlinkQuietly(lock);
  }
}
