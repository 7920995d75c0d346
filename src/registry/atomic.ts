import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import { openExclusive, unlinkQuietly } from './safe-fs.js';

/**
 * Writes a file so that a reader sees either the old content or the new, never a part: the data goes
 * to a temp file beside it, is flushed to disk, and is renamed over the target. A crash at any instant
 * leaves at most a stray `.partial` file, which readers ignore. The rename replaces a symlink at
 * `file` itself, never the file it points at.
 */
export function writeFileAtomic(file: string, data: string): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.partial`);
  // Exclusive and private: a link planted under the temp name is never written through, and the
  // record (with the run's --env values) is readable by its user only.
  const fd = openExclusive(temp);
  try {
    // write(2) may write less than asked: on a nearly full disk it wrote one 4 KB page of a 9 KB
    // record and returned, and the rename then put a truncated run.json over a good one. Loop until
    // everything is written; the next write reports ENOSPC, and the old file stays.
    const buffer = Buffer.from(data);
    for (let offset = 0; offset < buffer.length; ) offset += writeSync(fd, buffer, offset, buffer.length - offset);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkQuietly(temp);
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, file);
  } catch (error) {
    unlinkQuietly(temp);
    throw error;
  }
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}
