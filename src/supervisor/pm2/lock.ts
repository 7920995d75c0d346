import { linkSync, mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sleep } from '../../process/index.js';
import { holderText, lockIsStale } from '../../registry/lock-holder.js';

/**
 * A lock file held while connecting to pm2. Measured here: 20 parallel `pm2.connect` calls with no
 * daemon running spawned two pm2 daemons on one PM2_HOME and left starts hanging. Holding this lock
 * while connecting means the first caller starts the daemon and the rest find it up.
 * A lock whose holder died (pid and start time, so a reused pid does not hold it) is taken over.
 */
export async function withFileLock<T>(file: string, timeoutMs: number, action: () => Promise<T>): Promise<T> {
  mkdirSync(path.dirname(file), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (let wait = 10; ; wait = Math.min(wait * 2, 100)) {
    if (tryAcquire(file)) break;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for the lock ${file}`);
    await sleep(wait);
  }
  try {
    return await action();
  } finally {
    try {
      unlinkSync(file);
    } catch {
      // taken over as stale by someone who thought we were dead; nothing to release
    }
  }
}


function tryAcquire(file: string): boolean {
  // The holder is written to a file of our own first and linked into place, so the lock never
  // exists without its holder in it (kill -9 between creating and writing it left an empty lock
  // that nobody would take over: seen in the reliability suite's kill -9 trials).
  const own = `${file}.${process.pid}`;
  writeFileSync(own, holderText());
  try {
    linkSync(own, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(own);
  }
  if (lockIsStale(file)) {
    try {
      unlinkSync(file);
    } catch {
      // someone else removed it first
    }
  }
  return false;
}


