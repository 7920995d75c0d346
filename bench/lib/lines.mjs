import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Checks a file written by scripts/write_lines.py: every line must carry the next number, so a lost,
 * repeated or reordered line shows. Returns how many lines were found and how many were out of place.
 */
export function checkNumberedLines(file) {
  const fd = openSync(file, 'r');
  const buffer = Buffer.allocUnsafe(4 << 20);
  let lines = 0;
  let misplaced = 0;
  const lineStart = Buffer.alloc(10);
  let startFill = 0;
  let atLineStart = true;
  try {
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n <= 0) break;
      for (let i = 0; i < n; i++) {
        const byte = buffer[i];
        if (atLineStart && startFill < 10) {
          lineStart[startFill++] = byte;
          if (startFill < 10) continue;
          atLineStart = false;
        }
        if (byte === 0x0a) {
          if (startFill < 10 || Number(lineStart.toString('latin1')) !== lines) misplaced++;
          lines++;
          startFill = 0;
          atLineStart = true;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return { lines, misplaced };
}
