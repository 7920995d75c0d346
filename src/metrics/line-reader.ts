import { open } from 'node:fs/promises';

// Decoding in pieces below V8's large-object size keeps the strings in the young generation, which
// a cheap scavenge frees (one string per 4 MB read let peak RSS reach 250 MB on a 1 GB log;
// bench/metrics-stdout.mjs).
const DECODE_BYTES = 64 * 1024;
const NEWLINE = 0x0a;
const CR = 0x0d;
// Blocks of bytes for the stdout scan: the size of a core's L2 cache (1 MB here), so a block is
// still cached while it is parsed; 4 MB blocks cost 8% more CPU (bench/metrics-stdout.mjs).
const BLOCK_BYTES = 1024 * 1024;

/**
 * No metric line is this long: a longer one (a stuck progress bar, a binary file, a line that never
 * ends) is skipped up to its newline, with a warning, so memory stays bounded on any input (a 2 GiB
 * line once made the reader allocate 4 GB and abort).
 */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/**
 * Calls `onLine(text, lineNumber)` for every complete line of a text file, streaming in constant
 * memory. A last line without its newline is not passed on: the writer may still be in the middle
 * of it (a live run), so only complete lines count. Line numbers are 1-based; `\r\n` loses its `\r`.
 * A line longer than MAX_LINE_BYTES goes to `onLongLine` instead (it still counts as a line).
 */
export async function forEachCompleteLine(
  file: string,
  onLine: (line: string, lineNumber: number) => void,
  onLongLine: (lineNumber: number) => void = () => undefined,
): Promise<void> {
  let lineNumber = 0;
  await forEachCompleteBlock(
    file,
    (buf, end) =>
      decodeInPieces(buf.subarray(0, end), (text) => {
        lineNumber = splitLines(text, lineNumber, onLine);
      }),
    { onLongLine: () => onLongLine(++lineNumber) },
  );
}

/** Where to read a file, and what to do with lines too long to read. */
export interface BlockOptions {
  /** From here (a line start); default the file's start. */
  start?: number;
  /** Up to here (after a `\n`); default wherever the file ends. */
  end?: number;
  /** Called with the byte offset of each line longer than `maxLineBytes`, which is skipped. */
  onLongLine?: (offset: number) => void;
  maxLineBytes?: number;
  /**
   * Console output: a progress bar redraws its line with `\r` and only the text after the last one
   * counts (StdoutExtractor), so a long line may drop what is before a `\r` instead of growing.
   */
  redraws?: boolean;
}

/**
 * The bytes of a file's complete lines, a block at a time: `onBlock(buf, end)` gets `buf[0, end)`,
 * which ends with `\n`; the buffer is reused once the call returns. Two buffers alternate, so the
 * next read (on libuv's thread pool) overlaps the parsing of the current block. Memory is bounded
 * by `maxLineBytes`: see BlockOptions.
 */
export async function forEachCompleteBlock(
  file: string,
  onBlock: (buf: Buffer, end: number) => void,
  options: BlockOptions = {},
  blockBytes = BLOCK_BYTES,
): Promise<void> {
  const handle = await open(file, 'r');
  const stop = options.end ?? Number.POSITIVE_INFINITY;
  const maxLine = Math.max(options.maxLineBytes ?? MAX_LINE_BYTES, blockBytes);
  let position = options.start ?? 0;
  let current: Buffer = Buffer.allocUnsafe(blockBytes);
  let next: Buffer = Buffer.allocUnsafe(blockBytes);
  const read = (buf: Buffer, offset: number) => {
    const length = Math.min(buf.length - offset, stop - position);
    const reading = length > 0 ? handle.read(buf, offset, length, position) : Promise.resolve({ bytesRead: 0 });
    return reading.then(({ bytesRead }) => {
      position += bytesRead;
      return bytesRead;
    });
  };
  let pending = read(current, 0);
  try {
    let filled = 0;
    // Offset of a line being skipped, or -1.
    let skipping = -1;
    for (;;) {
      const bytesRead = await pending;
      if (bytesRead === 0) return;
      filled += bytesRead;
      if (skipping >= 0) {
        const newline = current.indexOf(NEWLINE, filled - bytesRead);
        if (newline < 0 || newline >= filled) {
          filled = 0;
          pending = read(current, 0);
          continue;
        }
        options.onLongLine?.(skipping);
        skipping = -1;
        current.copy(current, 0, newline + 1, filled);
        filled -= newline + 1;
        if (filled === 0) {
          pending = read(current, 0);
          continue;
        }
      }
      const lastNewline = current.lastIndexOf(NEWLINE, filled - 1);
      if (lastNewline < 0) {
        if (filled === current.length) {
          // A `\r` at the very end may be half of a `\r\n`: only an earlier one may cut.
          const redraw = options.redraws ? current.lastIndexOf(CR, filled - 2) : -1;
          if (redraw > 0) {
            current.copy(current, 0, redraw, filled);
            filled -= redraw;
          } else if (current.length >= maxLine) {
            skipping = position - filled;
            filled = 0;
          } else {
            // A line longer than the buffer: keep reading into a bigger one.
            current = grow(current, filled);
            next = Buffer.allocUnsafe(current.length);
          }
        }
        pending = read(current, filled);
        continue;
      }
      const rest = filled - (lastNewline + 1);
      current.copy(next, 0, lastNewline + 1, filled);
      pending = read(next, rest);
      onBlock(current, lastNewline + 1);
      [current, next] = [next, current];
      filled = rest;
    }
  } finally {
    // A read may still be under way when the parser threw.
    await pending.catch(() => undefined);
    await handle.close();
  }
}

function grow(buffer: Buffer, used: number): Buffer {
  const bigger = Buffer.allocUnsafe(buffer.length * 2);
  buffer.copy(bigger, 0, 0, used);
  return bigger;
}

function decodeInPieces(lines: Buffer, onChunk: (text: string) => void): void {
  let start = 0;
  while (start < lines.length) {
    let end = lines.length;
    if (end - start > DECODE_BYTES) {
      const cut = lines.lastIndexOf(NEWLINE, start + DECODE_BYTES - 1);
      end = cut >= start ? cut + 1 : lines.indexOf(NEWLINE, start + DECODE_BYTES) + 1;
    }
    onChunk(lines.toString('utf8', start, end));
    start = end;
  }
}

function splitLines(text: string, lineNumber: number, onLine: (line: string, n: number) => void): number {
  let start = 0;
  let n = lineNumber;
  for (;;) {
    const end = text.indexOf('\n', start);
    if (end < 0) return n;
    n++;
    const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    onLine(text.slice(start, stop), n);
    start = end + 1;
  }
}
