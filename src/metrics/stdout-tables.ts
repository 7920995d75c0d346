import { ByteInterner } from './byte-interner.js';
import { normaliseMetricName } from './series.js';
import { numberInRange } from './stdout-scan.js';

const BAR = 124;
const DASH = 45;
const SPACE = 32;
const NO_SECTION = -1;

/**
 * The logger tables of Stable-Baselines3 (`| rollout/ |` section rows, then indented
 * `|    ep_rew_mean | 123 |` rows) and OpenAI baselines (`| eprewmean | 12.3 |`), fed one line at
 * a time as a range of the log's bytes (SB3 logs are mostly table rows, so nothing is decoded per
 * row: keys are interned, names built once per section and key).
 * A table ends at a `----` border or at any line that is not a table row.
 */
export class TableCollector {
  private section = NO_SECTION;
  readonly names: string[] = [];
  readonly values: number[] = [];
  private readonly keys = new ByteInterner();
  /** Full metric names by section id (+1, so "no section" is 0), then by key id. */
  private readonly sectionNames: (string | undefined)[][] = [];

  accept(buf: Uint8Array, start: number, end: number): 'border' | 'row' | 'other' {
    const first = buf[start];
    if (first === DASH) return isBorder(buf, start, end) ? 'border' : 'other';
    if (first !== BAR) return 'other';
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
    if (valueStart === valueEnd && buf[keyEnd - 1] === 47 /* / */) {
      this.section = this.keys.intern(buf, keyStart, keyEnd);
      return 'row';
    }
    // SB3 indents the rows of a section; an unindented row is a plain baselines key.
    if (keyStart - (start + 1) < 3) this.section = NO_SECTION;
    const value = numberInRange(buf, valueStart, valueEnd);
    if (value !== undefined) {
      this.names.push(this.nameOf(this.keys.intern(buf, keyStart, keyEnd)));
      this.values.push(value);
    }
    return 'row';
  }

  private nameOf(key: number): string {
    let names = this.sectionNames[this.section + 1];
    if (!names) {
      names = [];
      this.sectionNames[this.section + 1] = names;
    }
    let name = names[key];
    if (name === undefined) {
      const section = this.section === NO_SECTION ? '' : this.keys.text(this.section);
      name = normaliseMetricName(section + this.keys.text(key));
      names[key] = name;
    }
    return name;
  }

  /** Forgets the rows of the table just ended (after the caller took `names` and `values`). */
  clear(): void {
    this.names.length = 0;
    this.values.length = 0;
    this.section = NO_SECTION;
  }

  get pending(): boolean {
    return this.names.length > 0;
  }
}

function indexOfBar(buf: Uint8Array, from: number, end: number): number {
  for (let i = from; i < end; i++) if (buf[i] === BAR) return i;
  return -1;
}

function isBorder(buf: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end && buf[i] === DASH) i++;
  while (i < end && isBlank(buf[i]!)) i++;
  return i === end;
}

function isBlank(c: number): boolean {
  return c === SPACE || c === 9;
}
