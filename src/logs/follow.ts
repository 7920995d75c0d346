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
  /**
   * A terminal: show the line in progress (a progress bar's current state) as it changes, on the
   * terminal's last line. A pipe: only finished lines, each as its last `\r` state.
   */
  raw: boolean;
  signal?: AbortSignal;
}

const TICK_MS = 100;

/** Streams what is appended to the sources until the run ends or `signal` aborts. */
export async function followFiles(options: FollowOptions): Promise<void> {
  const screen: Screen = { partial: '' };
  const readers = options.sources.map((source, i) => new Appender(source, options.from[i] ?? 0, options, screen));
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
      for (const reader of readers) reader.showProgress();
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

/** In raw mode, the terminal line where a line still in progress (a progress bar) is shown. */
interface Screen {
  /** The text shown on the terminal's last line, without a newline yet; '' when none. */
  partial: string;
}

/** Past this many characters, a line without `\n` or `\r` keeps only its end (and is shown after `…`). */
const MAX_PENDING = 1024 * 1024;
const ERASE_LINE = '\r\x1b[K';

class Appender {
  /** The line being written: at most its last `\r` state, so a bar redrawn for hours costs no memory. */
  private pending = '';
  private cut = false;
  private shown = '';
  private readonly buffer = Buffer.allocUnsafe(256 * 1024);
  // A read can end inside a multi-byte character; the decoder keeps the rest for the next read.
  private readonly decoder = new StringDecoder('utf8');

  constructor(
    private readonly source: FollowSource,
    private position: number,
    private readonly options: FollowOptions,
    private readonly screen: Screen,
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

  /** On a terminal: shows the line in progress (a bar's current state) where the next line will go. */
  showProgress(): void {
    if (!this.options.raw || !this.pending) return;
    const text = `${this.source.label}${this.state()}`;
    if (text === this.shown && this.screen.partial === text) return;
    this.options.write(`${ERASE_LINE}${text}`);
    this.screen.partial = text;
    this.shown = text;
  }

  flush(): void {
    if (this.pending) this.writeLines(`${this.source.label}${this.state()}\n`);
    this.pending = '';
    this.cut = false;
  }

  private emit(text: string): void {
    let out = '';
    let start = 0;
    for (let lf = text.indexOf('\n'); lf >= 0; lf = text.indexOf('\n', start)) {
      this.keep(text.slice(start, lf));
      out += `${this.source.label}${this.state()}\n`;
      this.pending = '';
      this.cut = false;
      start = lf + 1;
    }
    this.keep(text.slice(start));
    if (out) this.writeLines(out);
  }

  /** Adds text to the line in progress, keeping only what its last state needs. */
  private keep(text: string): void {
    let line = this.pending + text;
    // '\rstate\r' is kept whole: a `\n` next makes 'state' the line, anything else starts a new state.
    const cut = line.lastIndexOf('\r', line.length - 2);
    if (cut > 0) line = line.slice(cut);
    if (line.length > MAX_PENDING) {
      line = line.slice(-MAX_PENDING);
      this.cut = true;
    }
    this.pending = line;
  }

  private state(): string {
    const text = this.pending;
    // The state starts after the last `\r` that is not the line's final character; with none, the
    // state is the whole kept text, which lost its beginning if it was cut.
    const starts = text.lastIndexOf('\r', text.endsWith('\r') ? text.length - 2 : text.length - 1) >= 0;
    return this.cut && !starts ? `…${lastState(text)}` : lastState(text);
  }

  private writeLines(text: string): void {
    if (this.options.raw && this.screen.partial) {
      this.options.write(`${ERASE_LINE}${text}`);
      this.screen.partial = '';
      this.shown = '';
    } else this.options.write(text);
  }
}
