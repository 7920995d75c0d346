import { parseNumber } from './numbers.js';
import { normaliseMetricName } from './series.js';
import type { NamedValue } from './stdout-pairs.js';

/**
 * The logger tables of Stable-Baselines3 (`| rollout/ |` section rows, then indented
 * `|    ep_rew_mean | 123 |` rows) and OpenAI baselines (`| eprewmean | 12.3 |`), fed one line at
 * a time. A table ends at a `----` border or at any line that is not a table row.
 */
export class TableCollector {
  private section = '';
  private rows: NamedValue[] = [];

  accept(line: string): 'border' | 'row' | 'other' {
    const first = line.charCodeAt(0);
    if (first === 45 /* - */ && /^-+\s*$/.test(line)) return 'border';
    if (first !== 124 /* | */) return 'other';
    const cells = line.split('|');
    // `| key | value |` splits into ['', key, value, '']; wider tables (Ray Tune status) are not ours.
    if (cells.length !== 4) return 'other';
    const rawKey = cells[1]!;
    const rawValue = cells[2]!.trim();
    const key = rawKey.trim();
    if (key === '') return 'row';
    if (rawValue === '' && key.endsWith('/')) {
      this.section = key;
      return 'row';
    }
    // SB3 indents the rows of a section; an unindented row is a plain baselines key.
    if (!rawKey.startsWith('   ')) this.section = '';
    const value = parseNumber(rawValue);
    if (value !== undefined) this.rows.push({ name: normaliseMetricName(this.section + key), value });
    return 'row';
  }

  /** The rows of the table just ended (an empty list when none is pending). */
  take(): NamedValue[] {
    const rows = this.rows;
    this.rows = [];
    this.section = '';
    return rows;
  }

  get pending(): boolean {
    return this.rows.length > 0;
  }
}
