import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { withLockFile } from '../../registry/lock-holder.js';

/**
 * A lock file held while connecting to pm2. Measured here: 20 parallel `pm2.connect` calls with no
 * daemon running spawned two pm2 daemons on one PM2_HOME and left starts hanging. Holding this lock
 * while connecting means the first caller starts the daemon and the rest find it up.
 * A lock whose holder died (pid and start time, so a reused pid does not hold it) is taken over.
 */
export function withFileLock<T>(file: string, timeoutMs: number, action: () => Promise<T>): Promise<T> {
  mkdirSync(path.dirname(file), { recursive: true });
  return withLockFile(file, { timeoutMs, timedOut: () => new Error(`timed out after ${timeoutMs} ms waiting for the lock ${file}`) }, action);
}
