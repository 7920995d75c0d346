import { mkdirSync, openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';
import { isAlive } from '../../registry/process.js';

/**
 * A lock file held while connecting to pm2. Measured here: 20 parallel `pm2.connect` calls with no
 * daemon running spawned two pm2 daemons on one PM2_HOME and left starts hanging. Holding this lock
 * while connecting means the first caller starts the daemon and the rest find it up.
 * A lock whose holder died is taken over.
 */
export async function withFileLock<T>(file: string, timeoutMs: number, action: () => Promise<T>): Promise<T> {
  mkdirSync(path.dirname(file), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (let wait = 10; ; wait = Math.min(wait * 2, 100)) {
    if (tryAcquire(file)) break;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for the lock ${file}`);
    await new Promise((resolve) => setTimeout(resolve, wait));
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
  try {
    const fd = openSync(file, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const holder = Number.parseInt(readQuietly(file), 10);
  // A lock file still being written has no pid yet; give its writer a moment.
  if (Number.isFinite(holder) && holder > 0 && !isAlive({ pid: holder })) {
    try {
      unlinkSync(file);
    } catch {
      // someone else removed it first
    }
  }
  return false;
}

function readQuietly(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
