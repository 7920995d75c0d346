import { closeSync, fstatSync, lstatSync, readSync } from 'node:fs';
import { openRegularForRead, readSmallRegularFile } from '../registry/safe-fs.js';

const LF = 0x0a;
/** At most this much is read per look (the extractor takes it in well under a second); the rest waits for the next one. */
const MAX_READ = 16 * 1024 * 1024;

/**
 * What a live log gained since the last look, as whole lines, from where the watching began (a
 * run's earlier attempts are not read again). The file is opened afresh each time, never through a
 * link and never blocking; a log that shrank (truncated by hand) is read from its new start.
 */
export class AppendedLines {
  private offset: number;
  private lastSize: number;

  /** `fromStart`: a file the script created since the watching began is read whole. */
  constructor(
    private readonly file: string,
    fromStart = false,
  ) {
    this.lastSize = sizeOf(file);
    this.offset = fromStart ? 0 : this.lastSize;
  }

  /** Hands the new whole lines to `onLines` (`buf[0, end)`); true when the file grew at all (a `\r` redraw counts). */
  poll(onLines: (buf: Buffer, end: number) => void): boolean {
    let fd: number | null;
    try {
      fd = openRegularForRead(this.file);
    } catch {
      return false;
    }
    if (fd === null) return false;
    try {
      const size = fstatSync(fd).size;
      if (size < this.offset) this.offset = 0;
      const grew = size !== this.lastSize;
      this.lastSize = size;
      if (size === this.offset) return grew;
      const buf = Buffer.allocUnsafe(Math.min(size - this.offset, MAX_READ));
      const read = readSync(fd, buf, 0, buf.length, this.offset);
      const end = buf.lastIndexOf(LF, read - 1) + 1;
      if (end > 0) {
        onLines(buf, end);
        this.offset += end;
      } else if (read === MAX_READ) {
        // A "line" of megabytes without a newline is no metric line: skipped.
        this.offset += read;
      }
      return grew;
    } finally {
      closeSync(fd);
    }
  }
}

/** Sizes of files (metric files the script writes), compared between looks; lstat only, so links are not followed. */
export class FileSizes {
  private sizes = new Map<string, number>();

  /** Starts following these files; one already followed keeps its last size. */
  follow(files: readonly string[]): void {
    this.sizes = new Map(files.map((file) => [file, this.sizes.get(file) ?? sizeOf(file)]));
  }

  /** True when one of them grew or shrank since the last look. */
  poll(): boolean {
    let changed = false;
    for (const [file, size] of this.sizes) {
      const now = sizeOf(file);
      if (now !== size) {
        this.sizes.set(file, now);
        changed = true;
      }
    }
    return changed;
  }
}

function sizeOf(file: string): number {
  try {
    return lstatSync(file).size;
  } catch {
    return 0;
  }
}

/** The first line of a file (a table's header), from its first 64 KB; null when there is none yet. */
export function firstLine(file: string): string | null {
  const head = readSmallRegularFile(file, 64 * 1024);
  const end = head?.indexOf('\n') ?? -1;
  return head && end >= 0 ? head.slice(0, end).replace(/\r$/, '') : null;
}
