import { closeSync, fstatSync, readSync } from 'node:fs';
import { openRegularForRead } from '../registry/safe-fs.js';
import { lastState } from './progress.js';

const CHUNK = 64 * 1024;
/** Past this much text without enough line ends (a progress bar that never printed `\n`), stop looking back. */
const MAX_LOOKBACK = 16 * 1024 * 1024;

/**
 * The last `count` lines of a file, read backwards from its end: a 5 GB log answers as fast as a
 * 5 KB one. A final line without `\n` (still being written) counts as a line. `end` reads the file
 * as it was at that size, so a follow that starts there prints nothing twice. A missing file has no
 * lines; a symlink or special file throws UnsafeFileError.
 */
export function readLastLines(file: string, count: number, end?: number): string[] {
  if (count <= 0) return [];
  const fd = openRegularForRead(file);
  if (fd === null) return [];
  try {
    const size = Math.min(fstatSync(fd).size, end ?? Number.POSITIVE_INFINITY);
    const chunks: Buffer[] = [];
    let position = size;
    let newlines = 0;
    let read = 0;
    while (position > 0 && newlines <= count && read < MAX_LOOKBACK) {
      const length = Math.min(CHUNK, position);
      position -= length;
      const buffer = Buffer.allocUnsafe(length);
      readSync(fd, buffer, 0, length, position);
      chunks.unshift(buffer);
      read += length;
      for (let i = 0; i < length; i++) if (buffer[i] === 0x0a) newlines++;
    }
    let text = Buffer.concat(chunks).toString('utf8');
    if (text.endsWith('\n')) text = text.slice(0, -1);
    if (text === '') return [];
    const lines = text.split('\n');
    // Unless we reached the start of the file, the first piece is a partial line.
    if (position > 0) lines.shift();
    return lines.slice(-count).map(lastState);
  } finally {
    closeSync(fd);
  }
}
