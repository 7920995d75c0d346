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
  /** Whether the section is still the one this collector started with (none), for reading in parts. */
  private inherited = true;
  /** Whether a row took its name while `inherited`: another start section would have named it otherwise. */
  usedInheritedSection = false;
  /** The `rows` rows of the pending table: an id of each row's full metric name (see `name`), and its value. */
  readonly nameIds: number[] = [];
  readonly values: number[] = [];
  rows = 0;
  private readonly keys = new ByteInterner();
  /** Tables repeat: the key ids of the last table's rows, by row, are good first guesses. */
  private readonly guesses: number[] = [];
  private readonly names: string[] = [];
  private readonly nameIdsByName = new Map<string, number>();
  /** Name ids by section id (+1, so "no section" is 0), then by key id. */
  private readonly sectionNames: (number | undefined)[][] = [];
  private row = 0;

  accept(buf: Uint8Array, start: number, end: number): 'border' | 'row' | 'other' {
    const first = buf[start];
    if (first !== BAR) {
      this.row = 0;
      if (first === DASH) return isBorder(buf, start, end) ? 'border' : 'other';
      return 'other';
    }
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
    const guess = this.guesses[this.row] ?? -1;
    const key = this.keys.internGuessing(buf, keyStart, keyEnd, guess, -1);
    this.guesses[this.row++] = key;
    if (valueStart === valueEnd && buf[keyEnd - 1] === 47 /* / */) {
      this.section = key;
      this.inherited = false;
      return 'row';
    }
    // SB3 indents the rows of a section; an unindented row is a plain baselines key.
    if (keyStart - (start + 1) < 3) {
      this.section = NO_SECTION;
      this.inherited = false;
    }
    const value = numberInRange(buf, valueStart, valueEnd);
    if (value !== undefined) {
      this.nameIds[this.rows] = this.nameOf(key);
      this.values[this.rows++] = value;
    }
    return 'row';
  }

  /** The full metric name of a name id. */
  name(id: number): string {
    return this.names[id]!;
  }

  private nameOf(key: number): number {
    if (this.inherited) this.usedInheritedSection = true;
    let names = this.sectionNames[this.section + 1];
    if (!names) {
      names = [];
      this.sectionNames[this.section + 1] = names;
    }
    let id = names[key];
    if (id === undefined) {
      const section = this.section === NO_SECTION ? '' : this.keys.text(this.section);
      const name = normaliseMetricName(section + this.keys.text(key));
      id = this.nameIdsByName.get(name);
      if (id === undefined) {
        id = this.names.push(name) - 1;
        this.nameIdsByName.set(name, id);
      }
      names[key] = id;
    }
    return id;
  }

  /** Forgets the rows of the table just ended (after the caller took `nameIds` and `values`). */
  clear(): void {
    // Kept for the next table rather than emptied: no new backing stores per table.
    this.rows = 0;
    this.section = NO_SECTION;
    this.inherited = false;
  }

  get carriesSection(): boolean {
    return this.section !== NO_SECTION;
  }

  get pending(): boolean {
    return this.rows > 0;
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
