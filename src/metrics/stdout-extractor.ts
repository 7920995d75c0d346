import { type SeriesKind, type MetricSeries, stepKeyRank } from './series.js';
import { SeriesSet } from './series-builder.js';
import { type CompiledPattern, extractPairs, extractWithPattern, type NamedValue } from './stdout-pairs.js';
import { TableCollector } from './stdout-tables.js';

const ANSI_ESCAPE = /\x1b\[[0-9;?]*[A-Za-z]/g;

/**
 * Turns a training script's console output, fed line by line, into metric series. Pure: no I/O,
 * so the file reader streams into it and tests feed it arrays of lines.
 */
export class StdoutExtractor {
  private readonly table = new TableCollector();
  private readonly series: SeriesSet;

  constructor(
    source: string,
    private readonly patterns: readonly CompiledPattern[] = [],
    maxPoints?: number,
    kind: SeriesKind = 'stdout',
  ) {
    this.series = new SeriesSet(kind, source, maxPoints);
  }

  line(raw: string): void {
    let text = raw;
    // tqdm redraws with `\r`; what is after the last one is what the terminal showed.
    const cr = text.lastIndexOf('\r');
    if (cr >= 0) text = text.slice(cr + 1);
    if (text.indexOf('\x1b') >= 0) text = text.replace(ANSI_ESCAPE, '');

    for (const pattern of this.patterns) this.record(extractWithPattern(text, pattern));
    // The quick checks keep the common case (a line with nothing for us) off the regex engine.
    const first = text.charCodeAt(0);
    if (first === 124 /* | */ || first === 45 /* - */) {
      const kind = this.table.accept(text);
      if (kind === 'row') return;
      this.endTable();
      if (kind === 'border') return;
    } else if (this.table.pending) {
      this.endTable();
    }
    if (text.indexOf('=') < 0 && text.indexOf(':') < 0) return;
    this.record(extractPairs(text));
  }

  /** Call at the end of the input: flushes a table that was still open. */
  finish(): MetricSeries[] {
    this.endTable();
    return this.series.build();
  }

  private endTable(): void {
    if (this.table.pending) this.record(this.table.take());
  }

  private record(values: NamedValue[]): void {
    if (values.length === 0) return;
    let step: number | undefined;
    let bestRank = Number.POSITIVE_INFINITY;
    for (const { name, value } of values) {
      const rank = stepKeyRank(name);
      if (rank !== undefined && rank < bestRank && Number.isFinite(value)) {
        bestRank = rank;
        step = value;
      }
    }
    for (const { name, value } of values) {
      if (stepKeyRank(name) === undefined) this.series.add(name, value, step);
    }
  }
}
