import { normaliseMetricName, type MetricSeries, stepKeyRank } from './series.js';
import { type SeriesBuilder, SeriesSet } from './series-builder.js';
import { type CompiledPattern, extractWithPattern, type NamedValue } from './stdout-pairs.js';
import { indexOrInfinity, Lookahead, newPairSink, scanPairs } from './stdout-scan.js';
import { TableCollector } from './stdout-tables.js';

const ANSI_ESCAPE = /\x1b\[[0-9;?]*[A-Za-z]/g;
/** Ray prefixes worker output with `(Actor pid=123)`; that is not a metric. */
const RAY_PREFIX = /^\(\w+ pid=\d+(?:, ip=[\d.]+)?\)\s*/;
/** Process bookkeeping that looks like a metric (`(pid=625502, ip=...)` in Ray errors). */
const NOT_METRICS = new Set(['pid', 'ppid', 'port']);

/** What a raw key found on a line stands for; cached so the hot loop normalises each key once. */
interface Target {
  raw: string;
  name: string;
  stepRank: number | undefined;
  builder: SeriesBuilder | undefined;
  ignored: boolean;
}

/**
 * Turns a training script's console output into metric series. Pure (no I/O): the file reader
 * streams decoded chunks of complete lines into `chunk`, tests feed lines to `line`.
 */
export class StdoutExtractor {
  private readonly table = new TableCollector();
  private readonly series: SeriesSet;
  private readonly targets = new Map<string, Target>();
  /** The same targets by a hash of the raw key, so a key on a line is found without slicing it out. */
  private readonly targetsByHash = new Map<number, Target[]>();
  private readonly sink = newPairSink();
  private readonly lineTargets: Target[] = [];
  private readonly lineValues: number[] = [];
  // Next position of a character in the current chunk (Infinity: none left). Looking ahead once
  // per occurrence instead of once per line keeps lines without it nearly free, and stays linear.
  private readonly ahead = new Lookahead();
  private nextCr = -1;
  private nextEsc = -1;

  constructor(
    source: string,
    private readonly patterns: readonly CompiledPattern[] = [],
    maxPoints?: number,
  ) {
    this.series = new SeriesSet('stdout', source, maxPoints);
  }

  /** One line, without its newline. */
  line(raw: string): void {
    this.chunk(raw);
  }

  /** Text made of whole lines (a last line without `\n` is taken as whole too). */
  chunk(text: string): void {
    this.ahead.reset(text);
    this.nextCr = this.nextEsc = -1;
    let start = 0;
    while (start < text.length) {
      let newline = text.indexOf('\n', start);
      if (newline < 0) newline = text.length;
      this.range(text, start, newline);
      start = newline + 1;
    }
  }

  /** Call at the end of the input: flushes a table that was still open. */
  finish(): MetricSeries[] {
    this.endTable();
    return this.series.build();
  }

  private range(text: string, lineStart: number, lineEnd: number): void {
    let start = lineStart;
    let end = lineEnd;
    if (end > start && text.charCodeAt(end - 1) === 13) end--;
    if (this.nextCr < start) this.nextCr = indexOrInfinity(text, '\r', start);
    // tqdm redraws with `\r`; what is after the last one is what the terminal showed.
    if (this.nextCr < end) start = text.lastIndexOf('\r', end - 1) + 1;
    if (this.nextEsc < start) this.nextEsc = indexOrInfinity(text, '\x1b', start);
    if (this.nextEsc < end || text.charCodeAt(start) === 40 /* ( */) {
      const clean = text.slice(start, end).replace(ANSI_ESCAPE, '').replace(RAY_PREFIX, '');
      const ahead = new Lookahead();
      ahead.reset(clean);
      this.scanLine(clean, 0, clean.length, ahead);
      return;
    }
    this.scanLine(text, start, end, this.ahead);
  }

  private scanLine(text: string, start: number, end: number, ahead: Lookahead): void {
    if (this.patterns.length > 0) {
      const line = text.slice(start, end);
      for (const pattern of this.patterns) this.recordNamed(extractWithPattern(line, pattern));
    }
    const first = text.charCodeAt(start);
    if (first === 124 /* | */ || first === 45 /* - */) {
      const kind = this.table.accept(text, start, end);
      if (kind === 'row') return;
      this.endTable();
      if (kind === 'border') return;
    } else if (this.table.pending) {
      this.endTable();
    }
    if (ahead.nextEq(start) >= end && ahead.nextColon(start) >= end) return;
    const sink = this.sink;
    scanPairs(text, start, end, sink, ahead);
    if (sink.count === 0) return;
    let n = 0;
    for (let i = 0; i < sink.count; i++) {
      const target = this.targetAt(text, sink.keyStart[i]!, sink.keyEnd[i]!);
      if (target.ignored) continue;
      this.lineTargets[n] = target;
      this.lineValues[n++] = sink.value[i]!;
    }
    this.record(n);
  }

  private target(rawKey: string): Target {
    let target = this.targets.get(rawKey);
    if (!target) {
      const name = normaliseMetricName(rawKey);
      target = { raw: rawKey, name, stepRank: stepKeyRank(name), builder: undefined, ignored: NOT_METRICS.has(name) };
      this.targets.set(rawKey, target);
    }
    return target;
  }

  private targetAt(text: string, start: number, end: number): Target {
    let hash = end - start;
    for (let i = start; i < end; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
    const bucket = this.targetsByHash.get(hash);
    if (bucket) {
      for (const target of bucket) {
        if (target.raw.length === end - start && text.startsWith(target.raw, start)) return target;
      }
    }
    const target = this.target(text.slice(start, end));
    if (bucket) bucket.push(target);
    else this.targetsByHash.set(hash, [target]);
    return target;
  }

  private endTable(): void {
    if (this.table.pending) this.recordNamed(this.table.take());
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
      target.builder ??= this.series.builder(target.name);
      target.builder.add(step ?? target.builder.count, this.lineValues[i]!);
    }
  }
}
