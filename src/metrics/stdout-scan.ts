/**
 * A hand-written scanner for `key=value` / `key: value` pairs on one line of `text`, between
 * `start` and `end`. It replaces a regex because it runs on every line of logs that reach gigabytes
 * (issue 3 asks for a third of `grep -c '='`'s speed; bench/metrics-stdout.mjs). The rules, which
 * test/metrics/stdout-extractor.test.ts spells out case by case:
 *  - a key is one or two words of [A-Za-z_][\w./%-]*, separated by a single space;
 *  - two words only after the line start or a separator (`,` `;` `|` `(` `)` `[` `]` `{` `}` tab
 *    or ` - `), so `global step=2048, episodic return=1` keeps its names while `training with
 *    lr=0.001 seed=0` gives `lr` and `seed`; one word also after a plain space (`step=1 loss=0.5`);
 *  - the value is a number (or nan/inf) ending at the line end, whitespace, `,` `;` `|` `)` `}`;
 *  - `:` followed by `//` is a URL, not a pair.
 */
export interface PairSink {
  keyStart: number[];
  keyEnd: number[];
  value: number[];
  count: number;
}

export function newPairSink(): PairSink {
  return { keyStart: [], keyEnd: [], value: [], count: 0 };
}

/** Next `=` and `:` in a text, found once per occurrence rather than once per line. */
export class Lookahead {
  private text = '';
  private eq = -1;
  private colon = -1;

  reset(text: string): void {
    this.text = text;
    this.eq = -1;
    this.colon = -1;
  }

  nextEq(from: number): number {
    if (this.eq < from) this.eq = indexOrInfinity(this.text, '=', from);
    return this.eq;
  }

  nextColon(from: number): number {
    if (this.colon < from) this.colon = indexOrInfinity(this.text, ':', from);
    return this.colon;
  }
}

export function indexOrInfinity(text: string, char: string, from: number): number {
  const at = text.indexOf(char, from);
  return at < 0 ? Number.POSITIVE_INFINITY : at;
}

const SPACE = 32;
const TAB = 9;
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

export function scanPairs(text: string, start: number, end: number, sink: PairSink, ahead: Lookahead): void {
  sink.count = 0;
  let from = start;
  for (;;) {
    const i = Math.min(ahead.nextEq(from), ahead.nextColon(from));
    if (i >= end) return;
    from = i + 1;
    if (text.charCodeAt(i) === 58 && text.charCodeAt(i + 1) === 47 && text.charCodeAt(i + 2) === 47) continue;
    let v = i + 1;
    while (v < end && isBlank(text.charCodeAt(v))) v++;
    const valueEnd = numberEnd(text, v, end);
    if (valueEnd < 0) continue;
    let k = i - 1;
    while (k >= start && isBlank(text.charCodeAt(k))) k--;
    const keyStart = findKeyStart(text, start, k + 1);
    if (keyStart < 0) continue;
    const n = sink.count++;
    sink.keyStart[n] = keyStart;
    sink.keyEnd[n] = k + 1;
    sink.value[n] = parseValue(text, v, valueEnd);
    from = valueEnd;
  }
}

/** The number that fills `text` from `start` to `end` exactly, or undefined. */
export function numberInRange(text: string, start: number, end: number): number | undefined {
  return start < end && numberEnd(text, start, end) === end ? parseValue(text, start, end) : undefined;
}

/** Start of the key ending at `keyEnd`, or -1 when there is no acceptable key. */
function findKeyStart(text: string, lineStart: number, keyEnd: number): number {
  // Up to two words, each found walking back; w1 is the one next to the `=`.
  let w1 = -1;
  let w2 = -1;
  let k = keyEnd - 1;
  for (let words = 0; words < 2; words++) {
    const wordEnd = k;
    while (k >= lineStart && isWordChar(text.charCodeAt(k))) k--;
    if (k === wordEnd || !isKeyFirstChar(text.charCodeAt(k + 1))) break;
    if (words === 0) w1 = k + 1;
    else w2 = k + 1;
    // Another word only across exactly one space.
    if (!(k - 1 >= lineStart && text.charCodeAt(k) === SPACE && isWordChar(text.charCodeAt(k - 1)))) break;
    k--;
  }
  if (w2 >= 0 && afterSeparator(text, lineStart, w2)) return w2;
  if (w1 >= 0 && (afterSeparator(text, lineStart, w1) || isBlank(text.charCodeAt(w1 - 1)))) return w1;
  return -1;
}

function afterSeparator(text: string, lineStart: number, wordStart: number): boolean {
  let b = wordStart - 1;
  while (b >= lineStart && isBlank(text.charCodeAt(b))) b--;
  if (b < lineStart) return true;
  const c = text.charCodeAt(b);
  if (c === 45 /* - */) return b + 1 < wordStart && b - 1 >= lineStart && text.charCodeAt(b - 1) === SPACE;
  // , ; | ( ) [ ] { } tab
  return c === 44 || c === 59 || c === 124 || c === 40 || c === 41 || c === 91 || c === 93 || c === 123 || c === 125 || c === TAB;
}

/** End of a number starting at `v` that is followed by a value terminator, or -1. */
function numberEnd(text: string, v: number, end: number): number {
  let p = v;
  let c = text.charCodeAt(p);
  if (c === 45 || c === 43) c = text.charCodeAt(++p);
  const digitsStart = p;
  while (isDigit(c)) c = text.charCodeAt(++p);
  if (c === 46 /* . */) {
    c = text.charCodeAt(++p);
    while (isDigit(c)) c = text.charCodeAt(++p);
  }
  if (p === digitsStart || (p === digitsStart + 1 && text.charCodeAt(digitsStart) === 46)) {
    p = wordNumberEnd(text, digitsStart, end);
    if (p < 0) return -1;
  } else if (c === 101 || c === 69 /* e E */) {
    let q = p + 1;
    const s = text.charCodeAt(q);
    if (s === 45 || s === 43) q++;
    const expStart = q;
    while (isDigit(text.charCodeAt(q))) q++;
    if (q > expStart) p = q;
  }
  if (p > end) return -1;
  return p === end || isTerminator(text.charCodeAt(p)) ? p : -1;
}

/** nan, inf, infinity in any case, at `p`. */
function wordNumberEnd(text: string, p: number, end: number): number {
  for (const word of ['infinity', 'nan', 'inf']) {
    if (p + word.length <= end && text.slice(p, p + word.length).toLowerCase() === word) return p + word.length;
  }
  return -1;
}

/**
 * Plain decimals with at most 15 significant digits are `digits / 10^k` or `digits * 10^k`, which
 * one IEEE operation rounds correctly (Clinger's fast path); anything else goes to Number().
 */
function parseValue(text: string, v: number, valueEnd: number): number {
  let p = v;
  let sign = 1;
  let c = text.charCodeAt(p);
  if (c === 45 || c === 43) {
    if (c === 45) sign = -1;
    c = text.charCodeAt(++p);
  }
  let mantissa = 0;
  let digits = 0;
  let fraction = 0;
  while (isDigit(c)) {
    mantissa = mantissa * 10 + (c - 48);
    if (mantissa > 0) digits++;
    c = text.charCodeAt(++p);
  }
  if (c === 46) {
    c = text.charCodeAt(++p);
    while (isDigit(c)) {
      mantissa = mantissa * 10 + (c - 48);
      if (mantissa > 0) digits++;
      fraction++;
      c = text.charCodeAt(++p);
    }
  }
  if (p === valueEnd && digits <= 15 && fraction <= 22) return (sign * mantissa) / POW10[fraction]!;
  return slowValue(text.slice(v, valueEnd));
}

function slowValue(token: string): number {
  const value = Number(token);
  if (!Number.isNaN(value)) return value;
  const lower = token.toLowerCase();
  if (lower.endsWith('nan')) return Number.NaN;
  return lower.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
}

function isTerminator(c: number): boolean {
  return c === SPACE || c === TAB || c === 44 || c === 59 || c === 124 || c === 41 || c === 125 || c === 13;
}

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isKeyFirstChar(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** [A-Za-z0-9_./%-] */
function isWordChar(c: number): boolean {
  return isKeyFirstChar(c) || isDigit(c) || c === 46 || c === 47 || c === 37 || c === 45;
}
