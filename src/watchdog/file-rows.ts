import { splitCells } from '../metrics/csv-extractor.js';
import { parseNumber } from '../metrics/numbers.js';

/** JSON as Python's json module writes it: NaN and infinities as bare words, which JSON.parse refuses. */
const JSON_NON_FINITE = /"((?:[^"\\]|\\.)*)"\s*:\s*(NaN|-?Infinity)\b/;

/**
 * Pure: the first non-finite value on rows appended to a metric file, as `name=nan`. A progress
 * table (csv, tsv, Spinning Up's progress.txt) is read against its header; a JSON-lines file by its
 * keys. Empty cells are missing values (SB3 leaves them), not NaN. Other files (TensorBoard events,
 * monitor files of episode rewards) are not looked into.
 */
export class FileRows {
  private header: string[] | null;
  private delimiter = ',';

  constructor(
    private readonly kind: 'table' | 'jsonl',
    header: string | null,
  ) {
    this.header = null;
    if (header !== null) this.setHeader(header);
  }

  /** One appended line; the detail of a non-finite value on it, or null. */
  line(text: string): string | null {
    if (text.trim() === '') return null;
    if (this.kind === 'jsonl') {
      const match = JSON_NON_FINITE.exec(text);
      return match ? `${match[1]}=${match[2] === 'NaN' ? 'nan' : match[2]!.startsWith('-') ? '-inf' : 'inf'}` : null;
    }
    if (!this.header) {
      this.setHeader(text);
      return null;
    }
    const cells = splitCells(text, this.delimiter);
    for (let i = 0; i < cells.length; i++) {
      const value = parseNumber(cells[i]!);
      if (value !== undefined && !Number.isFinite(value)) {
        return `${this.header[i]?.trim() || `column ${i + 1}`}=${Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf'}`;
      }
    }
    return null;
  }

  private setHeader(text: string): void {
    this.delimiter = text.includes('\t') ? '\t' : ',';
    this.header = splitCells(text, this.delimiter);
  }
}

/** What kind of rows a metric file holds, by name as metrics/read-run.ts tells them; null for one not looked into. */
export function rowKind(file: string): 'table' | 'jsonl' | null {
  const name = file.slice(file.lastIndexOf('/') + 1);
  if (name.startsWith('events.out.tfevents.') || name === 'monitor.csv' || name.endsWith('.monitor.csv')) return null;
  if (name.endsWith('.csv') || name.endsWith('.tsv') || name === 'progress.txt') return 'table';
  if (name.endsWith('.jsonl') || name.endsWith('.json')) return 'jsonl';
  return null;
}
