import type { SeriesBuilder } from './series-builder.js';
import { CLASS, DIGIT, numberAt, type Pair } from './stdout-scan.js';

const MAX_SLOTS = 64;
const CACHED = 4;

/**
 * A line whose pairs were found, kept as its bytes with the value ranges cut out. Training
 * scripts print the same line shape again and again (`global_step=…, episodic_return=…`), so a
 * new line whose bytes outside the values are identical, and whose values are again numbers,
 * gives the same keys at the same places without running the key rules again: one comparison
 * per byte instead of finding `=`, walking back over the key and interning it.
 *
 * Why that is exact: values are numbers that start with a digit, `.` or sign (nan/inf are left to
 * the full scan) and contain no `=` `:` `\r` or ESC, so every decision of the pair rules (which
 * `=`/`:` make a pair, where each key starts) reads either the identical bytes or a value whose
 * class of first and last byte is the same. Only lines from the single-pass path (no table, no
 * `\r` redraw, no ANSI, no Ray prefix, no config patterns) become templates; lines without pairs
 * too (a warning printed again and again is then one comparison of its bytes).
 */
export class LineTemplate {
  bytes = new Uint8Array(256);
  view: DataView = new DataView(this.bytes.buffer);
  length = 0;
  slots = 0;
  readonly slotStart = new Int32Array(MAX_SLOTS);
  readonly slotEnd = new Int32Array(MAX_SLOTS);
  /** Interned key of each slot's pair. */
  readonly keys = new Int32Array(MAX_SLOTS);
  /** How a match is recorded, worked out by the extractor at the first match. */
  plan: RecordPlan | undefined;
  /** The template matched right after this one last time: logs cycle through a few shapes. */
  next: LineTemplate | undefined;
  lastUsed = 0;
}

/** Where a template's values go: the slots that may give the step, best first, and the series of the others. */
export interface RecordPlan {
  stepSlots: number[];
  metricSlots: number[];
  /** By metric slot: where its values go. */
  targets: MetricTarget[];
}

/** A metric's series for points with a step and for points without, each made at its first point. */
export interface MetricTarget {
  name: string;
  builder: SeriesBuilder | undefined;
  countedBuilder: SeriesBuilder | undefined;
}

/** The last few templates. */
export class TemplateCache {
  private readonly templates: LineTemplate[] = [];
  private last: LineTemplate | undefined;
  private clock = 0;
  /** The values of the last match, by slot. */
  readonly values = new Float64Array(MAX_SLOTS);
  matched: LineTemplate | undefined;
  // The pairs of the line being scanned the full way, to become a template.
  private slots = 0;
  private readonly valueStart = new Int32Array(MAX_SLOTS);
  private readonly valueEnd = new Int32Array(MAX_SLOTS);
  private readonly keys = new Int32Array(MAX_SLOTS);
  private readonly scratch: Pair = { keyStart: 0, keyEnd: 0, valueStart: 0, value: 0 };
  private view: DataView = new DataView(new ArrayBuffer(0));

  /** Where the line at `s` ends (after its `\n`) when a template fits it (`matched`), else -1. */
  match(buf: Uint8Array, s: number, end: number): number {
    const predicted = this.last?.next;
    if (predicted) {
      const next = this.fits(predicted, buf, s, end);
      if (next >= 0) return this.hit(predicted, next);
    }
    for (const template of this.templates) {
      if (template === predicted) continue;
      const next = this.fits(template, buf, s, end);
      if (next >= 0) return this.hit(template, next);
    }
    this.last = undefined;
    return -1;
  }

  private hit(template: LineTemplate, next: number): number {
    if (this.last) this.last.next = template;
    this.last = template;
    template.lastUsed = ++this.clock;
    this.matched = template;
    return next;
  }

  private fits(template: LineTemplate, buf: Uint8Array, s: number, end: number): number {
    const bytes = template.bytes;
    const view = this.view;
    const templateView = template.view;
    let p = s;
    let t = 0;
    for (let k = 0; k <= template.slots; k++) {
      // The last literal ends with the line's `\n`.
      const literalEnd = k < template.slots ? template.slotStart[k]! : template.length;
      // Four bytes at a time while both sides have them.
      for (; t + 4 <= literalEnd && p + 4 <= end; t += 4, p += 4) {
        if (view.getInt32(p) !== templateView.getInt32(t)) return -1;
      }
      for (; t < literalEnd; t++, p++) if (buf[p] !== bytes[t]) return -1;
      if (k === template.slots) break;
      if (!numericStart(buf, p)) return -1;
      const valueEnd = numberAt(buf, p, end, this.scratch);
      if (valueEnd < 0) return -1;
      this.values[k] = this.scratch.value;
      p = valueEnd;
      t = template.slotEnd[k]!;
    }
    return p;
  }

  /** Call before matching lines of a new buffer. */
  use(buf: Uint8Array): void {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** Starts collecting the pairs of a line scanned the full way. */
  begin(): void {
    this.slots = 0;
  }

  /** A pair of that line (ignored keys too: their values are part of the line's shape). */
  add(pair: Pair, valueEnd: number, key: number): void {
    const n = this.slots++;
    if (n >= MAX_SLOTS) return;
    this.valueStart[n] = pair.valueStart;
    this.valueEnd[n] = valueEnd;
    this.keys[n] = key;
  }

  /** The line `buf[s, next)` (ending in `\n`) was scanned the full way: keep its shape. */
  end(buf: Uint8Array, s: number, next: number): void {
    const slots = this.slots;
    // A line without pairs is kept too: warnings and banners repeat word for word.
    if (slots > MAX_SLOTS) return;
    for (let k = 0; k < slots; k++) if (!numericStart(buf, this.valueStart[k]!)) return;
    const template = this.templates.length < CACHED ? this.fresh() : this.leastRecentlyUsed();
    const length = next - s;
    if (template.bytes.length < length) {
      template.bytes = new Uint8Array(length * 2);
      template.view = new DataView(template.bytes.buffer);
    }
    template.bytes.set(buf.subarray(s, next));
    template.length = length;
    template.slots = slots;
    for (let k = 0; k < slots; k++) {
      template.slotStart[k] = this.valueStart[k]! - s;
      template.slotEnd[k] = this.valueEnd[k]! - s;
      template.keys[k] = this.keys[k]!;
    }
    template.next = undefined;
    template.plan = undefined;
    this.hit(template, 0);
  }

  private fresh(): LineTemplate {
    const template = new LineTemplate();
    this.templates.push(template);
    return template;
  }

  private leastRecentlyUsed(): LineTemplate {
    let oldest = this.templates[0]!;
    for (const template of this.templates) if (template.lastUsed < oldest.lastUsed) oldest = template;
    // Whatever predicted the old shape predicts nothing now.
    for (const template of this.templates) if (template.next === oldest) template.next = undefined;
    return oldest;
  }
}

/** A value that starts like a decimal: digit or `.`, after an optional sign. */
function numericStart(buf: Uint8Array, p: number): boolean {
  let c = buf[p]!;
  if (c === 45 || c === 43) c = buf[p + 1]!;
  return c === 46 || (CLASS[c]! & DIGIT) !== 0;
}
