import { parseNumber } from './numbers.js';
import { type MetricSeries, type MetricWarning, normaliseMetricName, stepKeyRank } from './series.js';
import { SeriesSet } from './series-builder.js';

interface Header {
  names: string[];
  stepColumn: number | undefined;
}

/**
 * Progress tables written by SB3, OpenAI baselines (`progress.csv`) and Spinning Up (tab-separated
 * `progress.txt`), fed line by line. Columns are found by header name; empty cells are missing
 * values; a header line repeated mid-file (a second run appended) starts a new header; the step is
 * the best STEP_KEYS column, else the row index.
 */
export class CsvExtractor {
  private header: Header | undefined;
  private delimiter = ',';
  private series: SeriesSet | undefined;
  private rows = 0;
  private lastStep = Number.NEGATIVE_INFINITY;
  private reportedStepReset = false;
  readonly warnings: MetricWarning[] = [];

  constructor(
    private readonly source: string,
    private readonly maxPoints?: number,
  ) {}

  line(text: string, lineNumber: number): void {
    if (text.trim() === '') return;
    if (!this.header) {
      this.delimiter = text.includes('\t') ? '\t' : ',';
      this.header = makeHeader(splitCells(text, this.delimiter));
      return;
    }
    const cells = splitCells(text, this.delimiter);
    if (isHeaderLine(cells, this.header)) {
      this.header = makeHeader(cells);
      return;
    }
    if (cells.length > this.header.names.length) {
      this.warnings.push({
        file: this.source,
        line: lineNumber,
        message: `${cells.length} cells but the header has ${this.header.names.length}; extra cells ignored`,
      });
    }
    this.addRow(cells, lineNumber);
  }

  private addRow(cells: string[], lineNumber: number): void {
    const header = this.header!;
    const stepCell = header.stepColumn === undefined ? undefined : parseNumber(cells[header.stepColumn] ?? '');
    const step = stepCell ?? this.rows;
    this.rows++;
    if (step < this.lastStep && !this.reportedStepReset) {
      this.reportedStepReset = true;
      this.warnings.push({
        file: this.source,
        line: lineNumber,
        message: `step goes back from ${this.lastStep} to ${step}: two runs appended to one file?`,
      });
    }
    this.lastStep = step;
    this.series ??= new SeriesSet(this.delimiter === '\t' ? 'spinningup' : 'csv', this.source, this.maxPoints);
    const count = Math.min(cells.length, header.names.length);
    for (let i = 0; i < count; i++) {
      if (i === header.stepColumn) continue;
      const value = parseNumber(cells[i]!);
      if (value !== undefined) this.series.add(header.names[i]!, value, step);
    }
  }

  finish(): MetricSeries[] {
    return this.series?.build() ?? [];
  }
}

function makeHeader(cells: string[]): Header {
  const names = cells.map(normaliseMetricName);
  let stepColumn: number | undefined;
  let bestRank = Number.POSITIVE_INFINITY;
  names.forEach((name, column) => {
    const rank = stepKeyRank(name);
    if (rank !== undefined && rank < bestRank) {
      bestRank = rank;
      stepColumn = column;
    }
  });
  return { names, stepColumn };
}

/** A row of names only, one of which the current header already has. */
function isHeaderLine(cells: string[], header: Header): boolean {
  let known = false;
  for (const cell of cells) {
    if (cell.trim() === '') continue;
    if (parseNumber(cell) !== undefined) return false;
    if (header.names.includes(normaliseMetricName(cell))) known = true;
  }
  return known;
}

/** Splits one line; double quotes (as Python's csv module writes them) are honoured when present. */
export function splitCells(line: string, delimiter: string): string[] {
  if (!line.includes('"')) return line.split(delimiter);
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      cells.push(cell);
      cell = '';
    } else cell += c;
  }
  cells.push(cell);
  return cells;
}
