import { numberInRange } from './stdout-scan.js';

const BAR = 124;
const DASH = 45;
const SPACE = 32;

/**
 * The logger tables of Stable-Baselines3 (`| rollout/ |` section rows, then indented
 * `|    ep_rew_mean | 123 |` rows) and OpenAI baselines (`| eprewmean | 12.3 |`), fed one line at
 * a time as a range of the log's bytes. A table ends at a `----` border or at any line that is not
 * a table row.
 */
export class TableCollector {
  /** The section row in force (`rollout/`), or '' for none. */
  private section = '';
  /** The rows of the pending table: each row's raw name (section and key) and its value. */
  readonly names: string[] = [];
  readonly values: number[] = [];
  rows = 0;

  /** A line (without its `\n`), when it is a row, border or something else. */
  accept(buf: Buffer, start: number, end: number): 'border' | 'row' | 'other' {
    const first = buf[start];
    if (first !== BAR) return first === DASH && isBorder(buf, start, end) ? 'border' : 'other';
    const second = indexOfBar(buf, start + 1, end);
    if (second < 0) return 'other';
    const third = indexOfBar(buf, second + 1, end);
    if (third < 0) return 'other';
    // Anything after the closing bar (Ray Tune's wider status tables) makes it not ours.
    for (let i = third + 1; i < end; i++) if (!isBlank(buf[i]!)) return 'other';
    let keyStart = start + 1;
    while (keyStart < second && isBlank(buf[keyStart]!)) keyStart++;
    let keyEnd = second;
    while (keyEnd > keyStart && isBlank(buf[keyEnd - 1]!)) keyEnd--;
    if (keyStart === keyEnd) return 'row';
    let valueStart = second + 1;
    while (valueStart < third && isBlank(buf[valueStart]!)) valueStart++;
    let valueEnd = third;
    while (valueEnd > valueStart && isBlank(buf[valueEnd - 1]!)) valueEnd--;
    const key = buf.toString('utf8', keyStart, keyEnd);
    if (valueStart === valueEnd && key.endsWith('/')) {
      this.section = key;
      return 'row';
    }
    // SB3 indents the rows of a section; an unindented row is a plain baselines key.
    if (keyStart - (start + 1) < 3) this.section = '';
    const value = numberInRange(buf, valueStart, valueEnd);
    if (value !== undefined) {
      this.names[this.rows] = this.section + key;
      this.values[this.rows++] = value;
    }
    return 'row';
  }

  /** Forgets the rows of the table just ended (after the caller took `names` and `values`). */
  clear(): void {
    this.rows = 0;
    this.section = '';
  }

  /** Whether a section row is still in force, to name the rows that follow. */
  get carriesSection(): boolean {
    return this.section !== '';
  }

  get pending(): boolean {
    return this.rows > 0;
  }
}

function indexOfBar(buf: Buffer, from: number, end: number): number {
  const at = buf.indexOf(BAR, from);
  return at >= 0 && at < end ? at : -1;
}

function isBorder(buf: Buffer, start: number, end: number): boolean {
  let i = start;
  while (i < end && buf[i] === DASH) i++;
  while (i < end && isBlank(buf[i]!)) i++;
  return i === end;
}

function isBlank(c: number): boolean {
  return c === SPACE || c === 9;
}
