import { normaliseMetricName } from './series.js';
import type { NamedValue } from './stdout-pairs.js';
import { numberInRange } from './stdout-scan.js';

const BAR = 124;
const DASH = 45;
const SPACE = 32;

/**
 * The logger tables of Stable-Baselines3 (`| rollout/ |` section rows, then indented
 * `|    ep_rew_mean | 123 |` rows) and OpenAI baselines (`| eprewmean | 12.3 |`), fed one line at
 * a time as a range of a larger text (SB3 logs are mostly table rows, so no slicing per row).
 * A table ends at a `----` border or at any line that is not a table row.
 */
export class TableCollector {
  private section = '';
  private rows: NamedValue[] = [];
  /** Full metric names by section, then by the key as printed. */
  private readonly names = new Map<string, Map<string, string>>();
  private sectionNames: Map<string, string> | undefined;

  accept(text: string, start: number, end: number): 'border' | 'row' | 'other' {
    const first = text.charCodeAt(start);
    if (first === DASH) return isBorder(text, start, end) ? 'border' : 'other';
    if (first !== BAR) return 'other';
    const second = text.indexOf('|', start + 1);
    if (second < 0 || second >= end) return 'other';
    const third = text.indexOf('|', second + 1);
    if (third < 0 || third >= end) return 'other';
    // Anything after the closing bar (Ray Tune's wider status tables) makes it not ours.
    for (let i = third + 1; i < end; i++) if (!isBlank(text.charCodeAt(i))) return 'other';
    let keyStart = start + 1;
    while (keyStart < second && isBlank(text.charCodeAt(keyStart))) keyStart++;
    let keyEnd = second;
    while (keyEnd > keyStart && isBlank(text.charCodeAt(keyEnd - 1))) keyEnd--;
    if (keyStart === keyEnd) return 'row';
    let valueStart = second + 1;
    while (valueStart < third && isBlank(text.charCodeAt(valueStart))) valueStart++;
    let valueEnd = third;
    while (valueEnd > valueStart && isBlank(text.charCodeAt(valueEnd - 1))) valueEnd--;
    if (valueStart === valueEnd && text.charCodeAt(keyEnd - 1) === 47 /* / */) {
      this.setSection(text.slice(keyStart, keyEnd));
      return 'row';
    }
    // SB3 indents the rows of a section; an unindented row is a plain baselines key.
    if (keyStart - (start + 1) < 3) this.setSection('');
    const value = numberInRange(text, valueStart, valueEnd);
    if (value !== undefined) this.rows.push({ name: this.nameOf(text.slice(keyStart, keyEnd)), value });
    return 'row';
  }

  private nameOf(key: string): string {
    let names = this.sectionNames;
    if (!names) {
      names = this.names.get(this.section) ?? new Map<string, string>();
      this.names.set(this.section, names);
      this.sectionNames = names;
    }
    let name = names.get(key);
    if (name === undefined) {
      name = normaliseMetricName(this.section + key);
      names.set(key, name);
    }
    return name;
  }

  private setSection(section: string): void {
    if (section === this.section) return;
    this.section = section;
    this.sectionNames = undefined;
  }

  /** The rows of the table just ended (an empty list when none is pending). */
  take(): NamedValue[] {
    const rows = this.rows;
    this.rows = [];
    this.setSection('');
    return rows;
  }

  get pending(): boolean {
    return this.rows.length > 0;
  }
}

function isBorder(text: string, start: number, end: number): boolean {
  let i = start;
  while (i < end && text.charCodeAt(i) === DASH) i++;
  while (i < end && isBlank(text.charCodeAt(i))) i++;
  return i === end;
}

function isBlank(c: number): boolean {
  return c === SPACE || c === 9;
}
