import { type MetricSeries, normaliseMetricName, STEP_KEYS, stepKeyRank } from './series.js';
import { type SeriesBuilder, type SeriesSnapshot, SeriesSet } from './series-builder.js';
import { type CompiledPattern, extractWithPattern, type NamedValue } from './stdout-pairs.js';
import { episodeAt, type Pair, pairAt } from './stdout-scan.js';
import { TableCollector } from './stdout-tables.js';

const ANSI_ESCAPE = /\x1b\[[0-9;?]*[A-Za-z]/g;
/** Python's logging.basicConfig prefixes lines with `INFO:root:`; the key after it is the metric's. */
const LOGGING_PREFIX = /^(?:DEBUG|INFO|WARNING|ERROR|CRITICAL):[^\s:]*:/;
/** First letters of those levels: only lines starting with one pay for the regex. */
const LEVEL_INITIALS = new Set([68, 73, 87, 69, 67]);
/** Ray prefixes worker output with `(Actor pid=123)`; that is not a metric. */
const RAY_PREFIX = /^\(\w+ pid=\d+(?:, ip=[\d.]+)?\) ?/;
/** Process bookkeeping that looks like a metric (`(pid=625502, ip=...)` in Ray errors). */
const NOT_METRICS = new Set(['pid', 'ppid', 'port']);
/**
 * In a console log an episode number is the x axis (`Episode 10\tLast reward: …`), ranked after
 * every STEP_KEYS name; files keep their columns as they are.
 */
const EPISODE_RANK = STEP_KEYS.length;

const NEWLINE = 10;
const CR = 13;
const ESC = 27;
const EQUALS = 61;
const COLON = 58;
const BAR = 124;
const DASH = 45;
const PAREN = 40;
const UPPER_T = 84;
const SPACE = 32;
const TAB = 9;
/** Python's first line of a traceback; what follows, up to the exception line, is code, not metrics. */
const TRACEBACK = Buffer.from('Traceback (most recent call last):');

/** What a raw key found on a line stands for; cached so each key is normalised once. */
interface Target {
  /** The raw key's bytes. */
  key: Buffer;
  name: string;
  stepRank: number | undefined;
  ignored: boolean;
  /** The series of its points with a step, and of those without, each made at its first point. */
  builder: SeriesBuilder | undefined;
  countedBuilder: SeriesBuilder | undefined;
}

/**
 * Turns a training script's console output into metric series. Pure (no I/O): the file reader
 * hands over the bytes of whole lines (`bytes`), tests feed lines to `line`. Each line is scanned
 * once for `=`/`:` pairs (stdout-scan.ts); the lines that need more (a `\r` redraw, ANSI colours,
 * a Ray or logging prefix) are decoded and cleaned first.
 */
export class StdoutExtractor {
  private readonly table = new TableCollector();
  private readonly series: SeriesSet;
  /** Targets by raw key. */
  private readonly targets = new Map<string, Target>();
  /** By the place of a pair on its line (2n, 2n + 1): the targets of the last two keys seen there. */
  private readonly recent: (Target | undefined)[] = [];
  private readonly pair: Pair = { keyStart: 0, keyEnd: 0, valueStart: 0, value: 0 };
  private readonly lineTargets: Target[] = [];
  private readonly lineValues: number[] = [];
  private count = 0;
  // Next `\r` and ESC in the current buffer (Infinity: none left), looked up once per occurrence,
  // so a line without them pays nothing.
  private nextCr = -1;
  private nextEscape = -1;
  /** Inside a Python traceback: its indented lines and its exception line are skipped. */
  private inTraceback = false;
  /** Told of each line (or table) of metrics as it is read: the runner's watchdog (watchdog/nan.ts). */
  onRecord: ((names: readonly string[], values: readonly number[], step: number | undefined) => void) | undefined;

  constructor(
    source: string,
    private readonly patterns: readonly CompiledPattern[] = [],
    maxPoints?: number,
  ) {
    this.series = new SeriesSet('stdout', source, maxPoints);
  }

  /** One line, without its newline. */
  line(raw: string): void {
    this.bytes(Buffer.from(raw + '\n'));
  }

  /** Text made of whole lines (a last line without `\n` is taken as whole too). */
  chunk(text: string): void {
    if (text === '') return;
    this.bytes(Buffer.from(text.endsWith('\n') ? text : text + '\n'));
  }

  /** Whole lines: `buf[start, end)`, where `buf[end - 1]` is `\n`. */
  bytes(buf: Buffer, start = 0, end = buf.length): void {
    this.nextCr = this.nextEscape = -1;
    let pos = start;
    while (pos < end) pos = this.lineAt(buf, pos);
  }

  /** Call at the end of the input: flushes a table that was still open. */
  finish(): MetricSeries[] {
    this.endTable();
    return this.series.build();
  }

  /**
   * Whether nothing read so far bears on the lines to come but the series: no table open, no
   * section in force, no traceback. Then a new extractor that `restore`s the series reads on exactly
   * as this one would (the incremental cache, stdout-cache.ts).
   */
  get clean(): boolean {
    return !this.table.pending && !this.table.carriesSection && !this.inTraceback;
  }

  /** The series so far, as data (see `clean`). */
  seriesSnapshots(): SeriesSnapshot[] {
    return this.series.snapshots();
  }

  /** Starts from series read before (`seriesSnapshots` of an extractor that was `clean`); before any input. */
  restore(snapshots: readonly SeriesSnapshot[]): void {
    this.series.restore(snapshots);
  }

  /** Two upper-case letters, the first a level's: `INFO:root:` may follow (`Epoch`, `Episode` do not pay). */
  private mayBeLogging(buf: Buffer, at: number): boolean {
    const second = buf[at + 1]!;
    return LEVEL_INITIALS.has(buf[at]!) && second >= 65 && second <= 90;
  }

  /** The line starting at `s`, to its `\n`; returns the next line's start. */
  private lineAt(buf: Buffer, s: number): number {
    const newline = buf.indexOf(NEWLINE, s);
    let end = newline;
    let start = s;
    if (this.nextCr < s) this.nextCr = indexOrInfinity(buf, CR, s);
    if (this.nextCr < newline) {
      if (end > s && buf[end - 1] === CR) end--;
      // tqdm redraws with `\r`; what is after the last one is what the terminal showed.
      for (let i = end - 1; i >= s; i--) {
        if (buf[i] === CR) {
          start = i + 1;
          break;
        }
      }
    }
    if (this.nextEscape < start) this.nextEscape = indexOrInfinity(buf, ESC, start);
    if (this.nextEscape < end || buf[start] === PAREN || (this.mayBeLogging(buf, start) && LOGGING_PREFIX.test(buf.toString('utf8', start, Math.min(end, start + 64))))) {
      const clean = buf.toString('utf8', start, end).replace(ANSI_ESCAPE, '').replace(RAY_PREFIX, '').replace(LOGGING_PREFIX, '');
      const bytes = Buffer.from(clean + '\n');
      this.scanLine(bytes, 0, bytes.length - 1);
    } else {
      this.scanLine(buf, start, end);
    }
    return newline + 1;
  }

  private scanLine(buf: Buffer, start: number, end: number): void {
    if (this.tracebackLine(buf, start, end)) return;
    if (this.patterns.length > 0) {
      const line = buf.toString('utf8', start, end);
      for (const pattern of this.patterns) this.recordNamed(extractWithPattern(line, pattern));
    }
    const first = buf[start];
    if (start < end && (first === BAR || first === DASH)) {
      const kind = this.table.accept(buf, start, end);
      if (kind === 'row') return;
      this.endTable();
      if (kind === 'border') return;
    } else {
      this.endTable();
    }
    this.count = 0;
    let from = start;
    const episodeEnd = episodeAt(buf, start, end, this.pair);
    if (episodeEnd >= 0) {
      this.addPair(buf);
      from = episodeEnd;
    }
    for (let p = from; p < end; p++) {
      const c = buf[p];
      if (c !== EQUALS && c !== COLON) continue;
      const valueEnd = pairAt(buf, start, p, end, this.pair);
      if (valueEnd < 0) continue;
      this.addPair(buf);
      p = valueEnd - 1;
    }
    this.record(this.count);
  }

  /**
   * Whether the line is part of a Python traceback: from `Traceback (most recent call last):` over
   * the indented frames to the exception line (`KeyboardInterrupt`, `RuntimeError: …`). Frames
   * quote code (`F.softmax(x, dim=-1)`), which reads like pairs. An exception line that itself ends
   * in a traceback header (JAX's callbacks) keeps the traceback going.
   */
  private tracebackLine(buf: Buffer, start: number, end: number): boolean {
    if (this.inTraceback) {
      const indented = start < end && (buf[start] === SPACE || buf[start] === TAB);
      if (!indented) this.inTraceback = end - start >= TRACEBACK.length && startsWith(buf, end - TRACEBACK.length, TRACEBACK);
      return true;
    }
    if (buf[start] !== UPPER_T || end - start < TRACEBACK.length || !startsWith(buf, start, TRACEBACK)) return false;
    this.endTable();
    this.inTraceback = true;
    return true;
  }

  /**
   * Collects the pair just found, unless its key is ignored. Lines repeat their keys, often in
   * turns, so the last two keys seen at this place of a line are compared first: decoding every key
   * to look it up cost a third of the CPU time on real console logs (bench/metrics-stdout.mjs).
   */
  private addPair(buf: Buffer): void {
    const { keyStart, keyEnd } = this.pair;
    const slot = 2 * this.count;
    let target = this.recent[slot];
    if (!target || !sameBytes(buf, keyStart, keyEnd, target.key)) {
      const older = this.recent[slot + 1];
      target = older && sameBytes(buf, keyStart, keyEnd, older.key) ? older : this.target(buf.toString('utf8', keyStart, keyEnd));
      this.recent[slot + 1] = this.recent[slot];
      this.recent[slot] = target;
    }
    if (target.ignored) return;
    this.lineTargets[this.count] = target;
    this.lineValues[this.count++] = this.pair.value;
  }

  /** A target's series of points with a step, made at its first point ... */
  private steppedSeries(target: Target): SeriesBuilder {
    if (!target.builder) target.builder = this.series.builder(target.name);
    return target.builder;
  }

  /** ... and of points without one. */
  private steplessSeries(target: Target): SeriesBuilder {
    if (!target.countedBuilder) target.countedBuilder = this.series.countedBuilder(target.name);
    return target.countedBuilder;
  }

  private target(rawKey: string): Target {
    let target = this.targets.get(rawKey);
    if (!target) {
      const name = normaliseMetricName(rawKey);
      const stepRank = stepKeyRank(name) ?? (name.toLowerCase() === 'episode' ? EPISODE_RANK : undefined);
      target = { key: Buffer.from(rawKey), name, stepRank, builder: undefined, countedBuilder: undefined, ignored: NOT_METRICS.has(name) };
      this.targets.set(rawKey, target);
    }
    return target;
  }

  private endTable(): void {
    const table = this.table;
    if (!table.pending) return;
    let n = 0;
    for (let i = 0; i < table.rows; i++) {
      const target = this.target(table.names[i]!);
      if (target.ignored) continue;
      this.lineTargets[n] = target;
      this.lineValues[n++] = table.values[i]!;
    }
    table.clear();
    this.record(n);
  }

  private recordNamed(values: NamedValue[]): void {
    let n = 0;
    for (const { name, value } of values) {
      const target = this.target(name);
      if (target.ignored) continue;
      this.lineTargets[n] = target;
      this.lineValues[n++] = value;
    }
    this.record(n);
  }

  /** Adds the first `n` collected values, at the step one of them names, else each series' next index. */
  private record(n: number): void {
    let step: number | undefined;
    let bestRank = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const rank = this.lineTargets[i]!.stepRank;
      const value = this.lineValues[i]!;
      if (rank !== undefined && rank < bestRank && Number.isFinite(value)) {
        bestRank = rank;
        step = value;
      }
    }
    if (this.onRecord && n > 0) {
      this.onRecord(this.lineTargets.slice(0, n).map((t) => t.name), this.lineValues.slice(0, n), step);
    }
    for (let i = 0; i < n; i++) {
      const target = this.lineTargets[i]!;
      if (target.stepRank !== undefined) continue;
      if (step === undefined) this.steplessSeries(target).addCounted(this.lineValues[i]!);
      else this.steppedSeries(target).add(step, this.lineValues[i]!);
    }
  }
}

function startsWith(buf: Buffer, at: number, prefix: Uint8Array): boolean {
  for (let i = 0; i < prefix.length; i++) if (buf[at + i] !== prefix[i]) return false;
  return true;
}

function sameBytes(buf: Buffer, start: number, end: number, key: Buffer): boolean {
  if (end - start !== key.length) return false;
  for (let i = 0; i < key.length; i++) if (buf[start + i] !== key[i]) return false;
  return true;
}

function indexOrInfinity(buf: Buffer, byte: number, from: number): number {
  const at = buf.indexOf(byte, from);
  return at < 0 ? Number.POSITIVE_INFINITY : at;
}
