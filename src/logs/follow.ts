import { closeSync, type FSWatcher, fstatSync, readSync, watch } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { openRegularForRead } from '../registry/safe-fs.js';
import { lastState } from './progress.js';

export interface FollowSource {
  file: string;
  /** Written before each line, e.g. "[err] "; empty for one source. */
  label: string;
}

export interface FollowOptions {
  sources: FollowSource[];
  /** Byte offsets to start from, one per source (usually the size after printing the tail). */
  from: number[];
  write: (text: string) => void;
  /** Asked every tick: once true, the rest is read and following ends. */
  hasEnded: () => boolean;
  /** Write `\r` progress updates as they come (a terminal), or only the finished lines (a pipe). */
  raw: boolean;
  signal?: AbortSignal;
}

const TICK_MS = 100;

/** Streams what is appended to the sources until the run ends or `signal` aborts. */
export async function followFiles(options: FollowOptions): Promise<void> {
  const readers = options.sources.map((source, i) => new Appender(source, options.from[i] ?? 0, options));
  const watchers: FSWatcher[] = [];
  let wake: (() => void) | null = null;
  for (const source of options.sources) {
    try {
      watchers.push(watch(source.file, () => wake?.()));
    } catch {
      // No inotify: the tick alone does it.
    }
  }
  try {
    for (;;) {
      const ended = options.hasEnded();
      for (const reader of readers) reader.drain();
      if (ended || options.signal?.aborted) {
        for (const reader of readers) reader.flush();
        return;
      }
      await new Promise<void>((resolve) => {
        // One abort listener per tick, removed again: left in place they piled up ten a second
        // (MaxListenersExceededWarning within a second of `logs -f`, in the bench's first-line run).
        const done = () => {
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, TICK_MS);
        wake = done;
        options.signal?.addEventListener('abort', done, { once: true });
      });
      wake = null;
    }
  } finally {
    for (const watcher of watchers) watcher.close();
  }
}

class Appender {
  private pending = '';
  private readonly buffer = Buffer.allocUnsafe(256 * 1024);
  // A read can end inside a multi-byte character; the decoder keeps the rest for the next read.
  private readonly decoder = new StringDecoder('utf8');

  constructor(
    private readonly source: FollowSource,
    private position: number,
    private readonly options: FollowOptions,
  ) {}

  drain(): void {
    // A log swapped for a symlink while followed ends the follow with UnsafeFileError.
    const fd = openRegularForRead(this.source.file);
    if (fd === null) return;
    try {
      // A file truncated under us (rotated by hand) is read again from its start.
      if (fstatSync(fd).size < this.position) this.position = 0;
      for (;;) {
        const n = readSync(fd, this.buffer, 0, this.buffer.length, this.position);
        if (n <= 0) break;
        this.position += n;
        this.emit(this.decoder.write(this.buffer.subarray(0, n)));
      }
    } finally {
      closeSync(fd);
    }
  }

  flush(): void {
    if (this.pending) this.options.write(`${this.source.label}${lastState(this.pending)}\n`);
    this.pending = '';
  }

  private emit(text: string): void {
    const lines = (this.pending + text).split('\n');
    this.pending = lines.pop() ?? '';
    let out = '';
    for (const line of lines) out += `${this.source.label}${this.options.raw ? line : lastState(line)}\n`;
    if (out) this.options.write(out);
  }
}
