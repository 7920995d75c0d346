import { closeSync, fstatSync, readSync } from 'node:fs';
import { openRegularForRead } from '../registry/safe-fs.js';

const CHUNK = 64 * 1024;
const LF = 0x0a;
const CR = 0x0d;
/** A line (or a progress bar's last state) longer than this is shown as its last MAX_LINE bytes after `…`. */
export const MAX_LINE = 1024 * 1024;
/** Past this much text kept, stop looking back: the lines gathered so far are the answer. */
const MAX_KEPT = 16 * 1024 * 1024;

/**
 * The last `count` lines of a file, read backwards from its end: a 5 GB log answers as fast as a
 * 5 KB one. A final line without `\n` (still being written) counts as a line. `end` reads the file
 * as it was at that size, so a follow that starts there prints nothing twice. A missing file has no
 * lines; a symlink or special file throws UnsafeFileError.
 *
 * A progress bar (tqdm) redraws itself with `\r`: each line is given as its last state. Once that
 * state is read, the rest of the line is skipped without being kept, so a bar redrawn over
 * gigabytes without a newline costs a scan, not memory (it printed nothing past 16 MB before).
 */
export function readLastLines(file: string, count: number, end?: number): string[] {
  return readLastLinesAt(file, count, end).map((line) => line.text);
}

/** As readLastLines, each line with the byte offset just past it (its `\n` included). */
export function readLastLinesAt(file: string, count: number, end?: number): { text: string; end: number }[] {
  if (count <= 0) return [];
  const fd = openRegularForRead(file);
  if (fd === null) return [];
  try {
    return new BackwardLines(fd, Math.min(fstatSync(fd).size, end ?? Number.POSITIVE_INFINITY)).last(count);
  } finally {
    closeSync(fd);
  }
}

class BackwardLines {
  private readonly buffer = Buffer.allocUnsafe(CHUNK);
  /** Newest first. */
  private readonly lines: { text: string; end: number }[] = [];
  /** Where the line being read ends in the file. */
  private lineEnd: number;
  private kept = 0;
  /** The line being read: its pieces, last piece first. */
  private pieces: Buffer[] = [];
  private pieceBytes = 0;
  /** The line's last state is complete (a `\r` or MAX_LINE was reached): skip to its start. */
  private skipping = false;
  private cut = false;
  /** Nothing of the current line read yet: a `\r` here ends the line (`\r\n`, or a bar's final `\r`). */
  private atLineEnd = true;

  constructor(
    private readonly fd: number,
    private position: number,
  ) {
    this.lineEnd = position;
  }

  last(count: number): { text: string; end: number }[] {
    if (this.position === 0) return [];
    // The file's final `\n` ends the last line; it does not start an empty one.
    if (this.byteAt(this.position - 1) === LF) this.position--;
    if (this.position === 0) return [];
    while (this.position > 0) {
      const length = Math.min(CHUNK, this.position);
      const start = this.position - length;
      readSync(this.fd, this.buffer, 0, length, start);
      let i = length;
      while (i > 0) {
        if (this.skipping) {
          const lf = this.buffer.lastIndexOf(LF, i - 1);
          if (lf < 0) break;
          i = lf;
        } else {
          if (this.atLineEnd && this.buffer[i - 1] === CR) {
            // `\r\n`, or a bar's final `\r`: the state before it is the one shown.
            this.atLineEnd = false;
            i--;
            continue;
          }
          let j = i - 1;
          while (j >= 0 && this.buffer[j] !== LF && this.buffer[j] !== CR) j--;
          this.take(this.buffer.subarray(j + 1, i));
          if (j < 0) break;
          i = j;
          if (this.buffer[j] === CR) {
            // The line's last state is whole: what comes before it on the line is skipped.
            this.skipping = true;
            continue;
          }
        }
        // buffer[i] is a `\n`: the line after it is complete.
        this.endLine();
        this.lineEnd = start + i + 1;
        if (this.lines.length >= count || this.kept >= MAX_KEPT) return this.lines.reverse();
      }
      this.position = start;
    }
    this.endLine();
    return this.lines.slice(0, count).reverse();
  }

  /** Bytes of the current line, read backwards. */
  private take(piece: Buffer): void {
    let bytes = piece;
    if (bytes.length === 0) return;
    this.atLineEnd = false;
    const room = MAX_LINE - this.pieceBytes;
    if (bytes.length > room) {
      bytes = bytes.subarray(bytes.length - room);
      this.cut = true;
      this.skipping = true;
    }
    this.pieces.push(Buffer.from(bytes));
    this.pieceBytes += bytes.length;
  }

  private endLine(): void {
    let bytes = Buffer.concat(this.pieces.reverse());
    if (this.cut) {
      // Start at a character boundary: skip UTF-8 continuation bytes.
      let k = 0;
      while (k < bytes.length && (bytes[k]! & 0xc0) === 0x80) k++;
      bytes = bytes.subarray(k);
    }
    const text = `${this.cut ? '…' : ''}${bytes.toString('utf8')}`;
    this.lines.push({ text, end: this.lineEnd });
    this.kept += bytes.length;
    this.pieces = [];
    this.pieceBytes = 0;
    this.skipping = false;
    this.cut = false;
    this.atLineEnd = true;
  }

  private byteAt(offset: number): number {
    const one = Buffer.alloc(1);
    readSync(this.fd, one, 0, 1, offset);
    return one[0]!;
  }
}
