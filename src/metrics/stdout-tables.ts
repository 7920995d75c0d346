import { ByteInterner } from './byte-interner.js';
import { normaliseMetricName } from './series.js';
import { numberAt, numberInRange, type Pair } from './stdout-scan.js';

const BAR = 124;
const DASH = 45;
const SPACE = 32;
const NO_SECTION = -1;
const NEWLINE = 10;

/**
 * The last row seen at one place of a table, as its bytes up to where its value starts: logger
 * tables repeat row for row, so a row with the same bytes there is the same key, indent and cell
 * start, and only its value (a number, or nothing) and the closing `|` need reading.
 */
interface RowTemplate {
  bytes: Uint8Array;
  length: number;
  key: number;
  indent: number;
  /** The key ends with `/`: with an empty value cell the row starts a section. */
  sectionKey: boolean;
}

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
  /** Rows of the last tables, by their place in the table (`row`). */
  private readonly rowTemplates: (RowTemplate | undefined)[] = [];
  private readonly scratch: Pair = { keyStart: 0, keyEnd: 0, valueStart: 0, value: 0 };
  private readonly names: string[] = [];
  private readonly nameIdsByName = new Map<string, number>();
  /** Name ids by section id (+1, so "no section" is 0), then by key id. */
  private readonly sectionNames: (number | undefined)[][] = [];
  private row = 0;

  /**
   * A line (without its `\n`), when it is a row, border or something else. `plain`: the line has
   * no `\r` or ESC and its `\n` is at `end`, so its row may serve as a template for `knownRow`.
   */
  accept(buf: Uint8Array, start: number, end: number, plain = false): 'border' | 'row' | 'other' {
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
    const template = this.rowTemplates[this.row];
    const key = this.keys.internGuessing(buf, keyStart, keyEnd, template?.key ?? -1, -1);
    const indent = keyStart - (start + 1);
    const sectionKey = buf[keyEnd - 1] === 47; /* / */
    if (plain) this.keepRow(buf, start, valueStart, key, indent, sectionKey);
    this.row++;
    const empty = valueStart === valueEnd;
    this.applyRow(key, indent, sectionKey, empty, empty ? undefined : numberInRange(buf, valueStart, valueEnd));
    return 'row';
  }

  /**
   * The line at `s` when it is a row like the last one at this place of a table (see RowTemplate),
   * taken as `accept` would take it: where the next line starts, else -1 (and nothing changed).
   */
  knownRow(buf: Uint8Array, s: number, end: number): number {
    const template = this.rowTemplates[this.row];
    if (!template) return -1;
    const bytes = template.bytes;
    let p = s;
    for (let t = 0; t < template.length; t++, p++) if (buf[p] !== bytes[t]) return -1;
    let value: number | undefined;
    if (buf[p] !== BAR) {
      p = numberAt(buf, p, end, this.scratch);
      if (p < 0) return -1;
      value = this.scratch.value;
      while (isBlank(buf[p]!)) p++;
      if (buf[p] !== BAR) return -1;
    }
    p++;
    while (isBlank(buf[p]!)) p++;
    if (buf[p] !== NEWLINE) return -1;
    this.row++;
    this.applyRow(template.key, template.indent, template.sectionKey, value === undefined, value);
    return p + 1;
  }

  private applyRow(key: number, indent: number, sectionKey: boolean, empty: boolean, value: number | undefined): void {
    if (empty && sectionKey) {
      this.section = key;
      this.inherited = false;
      return;
    }
    // SB3 indents the rows of a section; an unindented row is a plain baselines key.
    if (indent < 3) {
      this.section = NO_SECTION;
      this.inherited = false;
    }
    if (value !== undefined) {
      this.nameIds[this.rows] = this.nameOf(key);
      this.values[this.rows++] = value;
    }
  }

  private keepRow(buf: Uint8Array, start: number, valueStart: number, key: number, indent: number, sectionKey: boolean): void {
    const length = valueStart - start;
    let template = this.rowTemplates[this.row];
    if (!template || template.bytes.length < length) {
      template = { bytes: new Uint8Array(Math.max(64, length * 2)), length: 0, key: 0, indent: 0, sectionKey: false };
      this.rowTemplates[this.row] = template;
    }
    template.bytes.set(buf.subarray(start, valueStart));
    template.length = length;
    template.key = key;
    template.indent = indent;
    template.sectionKey = sectionKey;
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
