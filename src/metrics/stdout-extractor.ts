import { ByteInterner } from './byte-interner.js';
import { type LineTemplate, type MetricTarget, type RecordPlan, TemplateCache } from './line-templates.js';
import { type MetricSeries, normaliseMetricName, STEP_KEYS, stepKeyRank } from './series.js';
import { type SeriesBuilder, type SeriesSnapshot, SeriesSet } from './series-builder.js';
import { type CompiledPattern, extractWithPattern, type NamedValue } from './stdout-pairs.js';
import { episodeAt, type Pair, pairAt, startsWithEpisode } from './stdout-scan.js';
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
const LOWER_E = 101;
const UPPER_T = 84;
const SPACE = 32;
const TAB = 9;
/** Python's first line of a traceback; what follows, up to the exception line, is code, not metrics. */
const TRACEBACK = Buffer.from('Traceback (most recent call last):');

/** Bytes the hot loop stops at; every other byte is skipped with one table lookup. */
const STOP = new Uint8Array(256);
for (const c of [NEWLINE, CR, ESC, EQUALS, COLON]) STOP[c] = 1;

/** What a raw key found on a line stands for; cached so the hot loop normalises each key once. */
interface Target extends MetricTarget {
  stepRank: number | undefined;
  ignored: boolean;
}

/**
 * Turns a training script's console output into metric series. Pure (no I/O): the file reader
 * hands over the bytes of whole lines (`bytes`), tests feed lines to `line`.
 *
 * Most lines take one pass over their bytes: stop at `=`/`:` to try a pair, at the line end to
 * record. Lines that need more (a logger table, a Ray prefix, ANSI colours, config patterns) go
 * to `fullLine`, which decodes what the regexes need.
 */
export class StdoutExtractor {
  private readonly table = new TableCollector();
  private readonly series: SeriesSet;
  private readonly keys = new ByteInterner();
  /** Targets by key id (pairs) ... */
  private readonly keyTargets: Target[] = [];
  /** ... by the table collector's name ids ... */
  private readonly tableTargets: Target[] = [];
  /** ... and by name (tables, patterns). */
  private readonly namedTargets = new Map<string, Target>();
  private readonly pair: Pair = { keyStart: 0, keyEnd: 0, valueStart: 0, value: 0 };
  private readonly templates = new TemplateCache();
  private readonly lineTargets: Target[] = [];
  private readonly lineValues: number[] = [];
  /** The last two key ids seen as the n-th pair of a line: lines repeat, often in turns, so they are good first guesses. */
  private readonly guesses = new Int32Array(64).fill(-1);
  private readonly olderGuesses = new Int32Array(64).fill(-1);
  private count = 0;
  // Next `\r` and ESC in the current buffer (Infinity: none left), looked up once per occurrence
  // by the lines that need them, so a line without them pays nothing.
  private nextCr = -1;
  private nextEscape = -1;
  /** Inside a Python traceback: its indented lines and its exception line are skipped. */
  private inTraceback = false;

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
    this.templates.use(buf);
    let pos = start;
    while (pos < end) pos = this.lineAt(buf, pos, end);
  }

  /** Call at the end of the input: flushes a table that was still open. */
  finish(): MetricSeries[] {
    this.endTable();
    return this.series.build();
  }

  /**
   * For reading a file in two parts at once (stdout-parts.ts). The later part's extractor ends
   * like `finish`, but hands over its series as data ...
   */
  finishPart(): { series: SeriesSnapshot[]; usedInheritedSection: boolean; clean: boolean } {
    const clean = this.clean;
    this.endTable();
    return { series: this.series.snapshots(), usedInheritedSection: this.table.usedInheritedSection, clean };
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

  /**
   * ... which the earlier part's extractor appends to its own. That gives what one extractor would
   * have given over the whole file when the earlier part ended after a line without `|` (no table
   * open), unless a table section carried over and the later part used it (the caller checks).
   */
  absorb(later: readonly SeriesSnapshot[]): void {
    this.series.absorb(later);
  }

  /** Whether a table section (a `| rollout/ |` row) is still in force, to apply to later rows. */
  get carriesSection(): boolean {
    return this.table.carriesSection;
  }

  /** Whether the input so far ended inside a Python traceback, whose next lines are to be skipped. */
  get midTraceback(): boolean {
    return this.inTraceback;
  }

  /** The line starting at `s`; returns where the next one starts. */
  private lineAt(buf: Buffer, s: number, end: number): number {
    let segment = s;
    const first = buf[segment]!;
    if (first === BAR && this.patterns.length === 0) {
      const next = this.table.knownRow(buf, s, end);
      if (next >= 0) return next;
    }
    // The first line after a table may continue it (after a `\r`) or end it: the full rules decide.
    if (this.table.pending || this.special(buf, segment)) return this.fullLine(buf, segment);
    const templates = this.templates;
    const matched = templates.match(buf, s, end);
    if (matched >= 0) {
      this.recordTemplate();
      return matched;
    }
    templates.begin();
    this.count = 0;
    let p = segment;
    for (;;) {
      let c = buf[p]!;
      while (STOP[c] === 0) c = buf[++p]!;
      if (c === EQUALS || c === COLON) {
        const valueEnd = pairAt(buf, segment, p, end, this.pair);
        if (valueEnd < 0) {
          p++;
        } else {
          templates.add(this.pair, valueEnd, this.addPair(buf));
          p = valueEnd;
        }
      } else if (c === NEWLINE) {
        break;
      } else if (c === CR) {
        if (buf[p + 1] === NEWLINE) {
          p++;
          break;
        }
        // tqdm redraws with `\r`; what is after the last one is what the terminal showed.
        segment = ++p;
        this.count = 0;
        if (this.special(buf, segment)) return this.fullLine(buf, segment);
      } else {
        return this.fullLine(buf, segment);
      }
    }
    // A line with a redraw is not a template: its pairs come from the last segment only.
    if (segment === s) templates.end(buf, s, p + 1);
    this.record(this.count);
    return p + 1;
  }

  /** The values of a template match, recorded as `record` would record them. */
  private recordTemplate(): void {
    const template = this.templates.matched!;
    const plan = template.plan ?? this.planFor(template);
    const values = this.templates.values;
    let step = Number.NaN;
    for (let i = 0; i < plan.stepSlots.length && Number.isNaN(step); i++) {
      const value = values[plan.stepSlots[i]!]!;
      if (Number.isFinite(value)) step = value;
    }
    const stepped = !Number.isNaN(step);
    for (let i = 0; i < plan.metricSlots.length; i++) {
      const value = values[plan.metricSlots[i]!]!;
      const target = plan.targets[i]!;
      if (stepped) this.steppedSeries(target).add(step, value);
      else this.steplessSeries(target).addCounted(value);
    }
  }

  /** A target's series of points with a step, made at its first point. */
  private steppedSeries(target: MetricTarget): SeriesBuilder {
    if (!target.builder) target.builder = this.series.builder(target.name);
    return target.builder;
  }

  /** ... and of points without one. */
  private steplessSeries(target: MetricTarget): SeriesBuilder {
    if (!target.countedBuilder) target.countedBuilder = this.series.countedBuilder(target.name);
    return target.countedBuilder;
  }

  private planFor(template: LineTemplate): RecordPlan {
    const steps: { rank: number; slot: number }[] = [];
    const plan: RecordPlan = { stepSlots: [], metricSlots: [], targets: [] };
    for (let slot = 0; slot < template.slots; slot++) {
      const target = this.keyTargets[template.keys[slot]!]!;
      if (target.ignored) continue;
      if (target.stepRank !== undefined) {
        steps.push({ rank: target.stepRank, slot });
      } else {
        plan.metricSlots.push(slot);
        plan.targets.push(target);
      }
    }
    // The lowest rank wins, the first of equals (as in `record`).
    plan.stepSlots = steps.sort((a, b) => a.rank - b.rank || a.slot - b.slot).map((s) => s.slot);
    template.plan = plan;
    return plan;
  }

  private needsFullLine(first: number): boolean {
    return first === BAR || first === DASH || first === PAREN || this.patterns.length > 0;
  }

  /** Whether the line at `at` needs the full rules: those `needsFullLine` names, a logging prefix, `Episode N`. */
  private special(buf: Buffer, at: number): boolean {
    const first = buf[at]!;
    return (
      this.needsFullLine(first) ||
      this.mayBeLogging(buf, at) ||
      ((first | 0x20) === LOWER_E && startsWithEpisode(buf, at)) ||
      this.inTraceback ||
      (first === UPPER_T && startsWith(buf, at, TRACEBACK))
    );
  }

  /** Two upper-case letters, the first a level's: `INFO:root:` may follow (`Epoch`, `Episode` do not pay). */
  private mayBeLogging(buf: Buffer, at: number): boolean {
    const second = buf[at + 1]!;
    return LEVEL_INITIALS.has(buf[at]!) && second >= 65 && second <= 90;
  }

  /** A line (or the part after a `\r`) from `s` to its `\n`, every rule applied; returns the next line's start. */
  private fullLine(buf: Buffer, s: number): number {
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
    if (this.nextEscape < end || buf[start] === PAREN || (this.mayBeLogging(buf, start) && LOGGING_PREFIX.test(decode(buf, start, Math.min(end, start + 64))))) {
      const clean = decode(buf, start, end).replace(ANSI_ESCAPE, '').replace(RAY_PREFIX, '').replace(LOGGING_PREFIX, '');
      const bytes = Buffer.from(clean + '\n');
      this.scanLine(bytes, 0, bytes.length - 1);
    } else {
      // No `\r` or ESC: a table row here may serve as a template (TableCollector.knownRow).
      this.scanLine(buf, start, end, this.nextCr > newline);
    }
    return newline + 1;
  }

  private scanLine(buf: Uint8Array, start: number, end: number, plain = false): void {
    if (this.tracebackLine(buf, start, end)) return;
    if (this.patterns.length > 0) {
      const line = decode(buf, start, end);
      for (const pattern of this.patterns) this.recordNamed(extractWithPattern(line, pattern));
    }
    const first = buf[start];
    if (start < end && (first === BAR || first === DASH)) {
      const kind = this.table.accept(buf, start, end, plain);
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
  private tracebackLine(buf: Uint8Array, start: number, end: number): boolean {
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

  /** Collects the pair just found (unless its key is ignored); returns its key id. */
  private addPair(buf: Uint8Array): number {
    const pair = this.pair;
    const slot = this.count & 63;
    const guess = this.guesses[slot]!;
    const id = this.keys.internGuessing(buf, pair.keyStart, pair.keyEnd, guess, this.olderGuesses[slot]!);
    if (id !== guess) {
      this.olderGuesses[slot] = guess;
      this.guesses[slot] = id;
    }
    const target = this.keyTargets[id] ?? this.keyTarget(id);
    if (target.ignored) return id;
    this.lineTargets[this.count] = target;
    this.lineValues[this.count++] = pair.value;
    return id;
  }

  private keyTarget(id: number): Target {
    const target = this.target(this.keys.text(id));
    this.keyTargets[id] = target;
    return target;
  }

  private target(rawKey: string): Target {
    let target = this.namedTargets.get(rawKey);
    if (!target) {
      const name = normaliseMetricName(rawKey);
      const stepRank = stepKeyRank(name) ?? (name.toLowerCase() === 'episode' ? EPISODE_RANK : undefined);
      target = { name, stepRank, builder: undefined, countedBuilder: undefined, ignored: NOT_METRICS.has(name) };
      this.namedTargets.set(rawKey, target);
    }
    return target;
  }

  private endTable(): void {
    const table = this.table;
    if (!table.pending) return;
    let n = 0;
    for (let i = 0; i < table.rows; i++) {
      const id = table.nameIds[i]!;
      let target = this.tableTargets[id];
      if (!target) {
        target = this.target(table.name(id));
        this.tableTargets[id] = target;
      }
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
    for (let i = 0; i < n; i++) {
      const target = this.lineTargets[i]!;
      if (target.stepRank !== undefined) continue;
      if (step === undefined) this.steplessSeries(target).addCounted(this.lineValues[i]!);
      else this.steppedSeries(target).add(step, this.lineValues[i]!);
    }
  }
}

function decode(buf: Uint8Array, start: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8');
}

function startsWith(buf: Uint8Array, at: number, prefix: Uint8Array): boolean {
  for (let i = 0; i < prefix.length; i++) if (buf[at + i] !== prefix[i]) return false;
  return true;
}

function indexOrInfinity(buf: Buffer, byte: number, from: number): number {
  const at = buf.indexOf(byte, from);
  return at < 0 ? Number.POSITIVE_INFINITY : at;
}
