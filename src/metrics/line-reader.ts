import { open } from 'node:fs/promises';

// Large reads keep the per-call overhead negligible next to the parsing; decoding in pieces below
// V8's large-object size keeps the strings in the young generation, which a cheap scavenge frees
// (one string per 4 MB read let peak RSS reach 250 MB on a 1 GB log; bench/metrics-stdout.mjs).
const CHUNK_BYTES = 1024 * 1024;
const DECODE_BYTES = 64 * 1024;
const NEWLINE = 0x0a;
// Blocks of bytes for the stdout scan: the size of a core's L2 cache (1 MB here), so a block is
// still cached while it is parsed; 4 MB blocks cost 8% more CPU (bench/metrics-stdout.mjs).
const BLOCK_BYTES = 1024 * 1024;

/**
 * Calls `onLine(text, lineNumber)` for every complete line of a text file, streaming in constant
 * memory. A last line without its newline is not passed on: the writer may still be in the middle
 * of it (a live run), so only complete lines count. Line numbers are 1-based; `\r\n` loses its `\r`.
 */
export async function forEachCompleteLine(
  file: string,
  onLine: (line: string, lineNumber: number) => void,
): Promise<void> {
  let lineNumber = 0;
  await forEachCompleteChunk(file, (text) => {
    lineNumber = splitLines(text, lineNumber, onLine);
  });
}

/**
 * The same, a decoded chunk of whole lines at a time (each ending in `\n`): for the stdout hot loop,
 * which looks ahead across lines.
 */
export async function forEachCompleteChunk(file: string, onChunk: (text: string) => void): Promise<void> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let carry: Buffer | undefined;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) return;
      let chunk = buffer.subarray(0, bytesRead);
      const lastNewline = chunk.lastIndexOf(NEWLINE);
      if (lastNewline < 0) {
        carry = carry ? Buffer.concat([carry, chunk]) : Buffer.from(chunk);
        continue;
      }
      // Decode up to the last newline only, so a multi-byte character is never split.
      if (carry) {
        chunk = Buffer.concat([carry, chunk.subarray(0, lastNewline + 1)]);
      } else {
        chunk = chunk.subarray(0, lastNewline + 1);
      }
      const rest = buffer.subarray(lastNewline + 1, bytesRead);
      carry = rest.length > 0 ? Buffer.from(rest) : undefined;
      decodeInPieces(chunk, onChunk);
    }
  } finally {
    await handle.close();
  }
}

/** A byte range of a file: from `start` (a line start) to `end` (after a `\n`; default: wherever the file ends). */
export interface ByteRange {
  start?: number;
  end?: number;
}

/**
 * The bytes of a file's complete lines, a block at a time: `onBlock(buf, end)` gets `buf[0, end)`,
 * which ends with `\n`; the buffer is reused once the call returns. Two buffers alternate, so the
 * next read (on libuv's thread pool) overlaps the parsing of the current block.
 */
export async function forEachCompleteBlock(
  file: string,
  onBlock: (buf: Buffer, end: number) => void,
  range: ByteRange = {},
  blockBytes = BLOCK_BYTES,
): Promise<void> {
  const handle = await open(file, 'r');
  const stop = range.end ?? Number.POSITIVE_INFINITY;
  let position = range.start ?? 0;
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
    for (;;) {
      const bytesRead = await pending;
      if (bytesRead === 0) return;
      filled += bytesRead;
      const lastNewline = current.lastIndexOf(NEWLINE, filled - 1);
      if (lastNewline < 0) {
        // A line longer than the buffer: keep reading into a bigger one.
        if (filled === current.length) {
          current = grow(current, filled);
          next = Buffer.allocUnsafe(current.length);
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
