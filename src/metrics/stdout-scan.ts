/**
 * A hand-written scanner for `key=value` / `key: value` pairs on the bytes of one line. It works on
 * the file's bytes, not on decoded strings, because it runs on every line of logs that reach
 * gigabytes (issue 3 asks for a third of `grep -c '='`'s speed; bench/metrics-stdout.mjs). Every
 * byte it reacts to is ASCII, and UTF-8 never uses ASCII bytes inside a multi-byte character, so
 * the bytes give the same pairs as the decoded text. The rules, which
 * test/metrics/stdout-extractor.test.ts spells out case by case:
 *  - a key is one or two words of [A-Za-z_][\w./%-]*, separated by a single space;
 *  - two words only after the line start or a separator (`,` `;` `|` `(` `)` `[` `]` `{` `}` tab
 *    or ` - `), so `global step=2048, episodic return=1` keeps its names while `training with
 *    lr=0.001 seed=0` gives `lr` and `seed`; one word also after a plain space (`step=1 loss=0.5`);
 *  - the value is a number (or nan/inf) ending at the line end, whitespace, `,` `;` `|` `)` `}`;
 *  - `:` followed by `//` is a URL, not a pair;
 *  - `Episode N` opening a line (pytorch/examples' reinforce.py) is a pair with no `=`/`:` (`episodeAt`).
 * Callers guarantee a `\n` after the scanned range (the reader hands over whole lines), so loops
 * that stop at a non-digit need no bound of their own.
 */

/** Where the last pair found by `pairAt` lies, and its value. */
export interface Pair {
  keyStart: number;
  keyEnd: number;
  valueStart: number;
  value: number;
}

const SPACE = 32;
const TAB = 9;
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** Byte classes, looked up once per byte in the hot loops. */
export const DIGIT = 1;
const KEY_FIRST = 2;
const WORD = 4;
const TERMINATOR = 8;
const BLANK = 16;
const SEPARATOR = 32;
export const CLASS = new Uint8Array(256);
for (let c = 48; c <= 57; c++) CLASS[c]! |= DIGIT | WORD;
for (let c = 65; c <= 90; c++) CLASS[c]! |= KEY_FIRST | WORD;
for (let c = 97; c <= 122; c++) CLASS[c]! |= KEY_FIRST | WORD;
CLASS[95]! |= KEY_FIRST | WORD;
for (const c of './%-') CLASS[c.charCodeAt(0)]! |= WORD;
// The line end counts as a terminator: a value may end the line.
for (const c of ' \t,;|)}\r\n') CLASS[c.charCodeAt(0)]! |= TERMINATOR;
CLASS[SPACE]! |= BLANK;
CLASS[TAB]! |= BLANK;
for (const c of ',;|()[]{}\t') CLASS[c.charCodeAt(0)]! |= SEPARATOR;

/**
 * The pair whose `=` or `:` is at `i`, on a line starting at `lineStart`: its value's end (and
 * `out` filled), or -1. `end` bounds the value; the hot loop passes the end of the whole buffer.
 */
export function pairAt(buf: Buffer, lineStart: number, i: number, end: number, out: Pair): number {
  if (buf[i] === 58 && buf[i + 1] === 47 && buf[i + 2] === 47) return -1;
  let v = i + 1;
  while (v < end && (CLASS[buf[v]!]! & BLANK) !== 0) v++;
  const valueEnd = numberAt(buf, v, end, out);
  if (valueEnd < 0) return -1;
  let k = i - 1;
  while (k >= lineStart && (CLASS[buf[k]!]! & BLANK) !== 0) k--;
  const keyStart = findKeyStart(buf, lineStart, k + 1);
  if (keyStart < 0) return -1;
  out.keyStart = keyStart;
  out.keyEnd = k + 1;
  out.valueStart = v;
  return valueEnd;
}

/** The number that fills `buf` from `start` to `end` exactly, or undefined. */
export function numberInRange(buf: Buffer, start: number, end: number): number | undefined {
  return start < end && numberAt(buf, start, end, scratch) === end ? scratch.value : undefined;
}

const scratch: Pair = { keyStart: 0, keyEnd: 0, valueStart: 0, value: 0 };

/** Start of the key ending at `keyEnd`, or -1 when there is no acceptable key. */
function findKeyStart(buf: Buffer, lineStart: number, keyEnd: number): number {
  // Up to two words, each found walking back; w1 is the one next to the `=`.
  let w1 = -1;
  let w2 = -1;
  let k = keyEnd - 1;
  for (let words = 0; words < 2; words++) {
    const wordEnd = k;
    while (k >= lineStart && (CLASS[buf[k]!]! & WORD) !== 0) k--;
    if (k === wordEnd || (CLASS[buf[k + 1]!]! & KEY_FIRST) === 0) break;
    if (words === 0) w1 = k + 1;
    else w2 = k + 1;
    // Another word only across exactly one space.
    if (!(k - 1 >= lineStart && buf[k] === SPACE && (CLASS[buf[k - 1]!]! & WORD) !== 0)) break;
    k--;
  }
  if (w2 >= 0 && afterSeparator(buf, lineStart, w2)) return w2;
  if (w1 >= 0 && (afterSeparator(buf, lineStart, w1) || isBlank(buf[w1 - 1]!))) return w1;
  return -1;
}

function afterSeparator(buf: Buffer, lineStart: number, wordStart: number): boolean {
  let b = wordStart - 1;
  // A tab separates (`Episode 10\tLast reward: 43.00`): it must be seen before blanks are skipped.
  while (b >= lineStart && isBlank(buf[b]!)) {
    if (buf[b] === TAB) return true;
    b--;
  }
  if (b < lineStart) return true;
  const c = buf[b]!;
  if (c === 45 /* - */) return b + 1 < wordStart && b - 1 >= lineStart && buf[b - 1] === SPACE;
  return (CLASS[c]! & SEPARATOR) !== 0;
}

/**
 * End of a number starting at `v` that is followed by a value terminator, or -1; its value goes to
 * `out.value`. Decimals with at most 15 significant digits and a power of ten within 10^±22 are
 * `digits * 10^k` or `digits / 10^k`, which one IEEE operation rounds correctly (Clinger's fast
 * path); anything else goes to Number().
 */
export function numberAt(buf: Buffer, v: number, end: number, out: Pair): number {
  let p = v;
  let c = buf[p]!;
  let sign = 1;
  if (c === 45 || c === 43) {
    if (c === 45) sign = -1;
    c = buf[++p]!;
  }
  const digitsStart = p;
  let mantissa = 0;
  // Digits are counted leading zeros included: a value like 0.000000000000001234 only takes the slow path.
  while ((c - 48) >>> 0 < 10) {
    mantissa = mantissa * 10 + (c - 48);
    c = buf[++p]!;
  }
  let digits = p - digitsStart;
  let scale = 0;
  if (c === 46 /* . */) {
    c = buf[++p]!;
    const fractionStart = p;
    while ((c - 48) >>> 0 < 10) {
      mantissa = mantissa * 10 + (c - 48);
      c = buf[++p]!;
    }
    scale = fractionStart - p;
    digits -= scale;
  }
  if (p === digitsStart || (p === digitsStart + 1 && buf[digitsStart] === 46)) {
    return wordNumberEnd(buf, digitsStart, end, sign, out);
  }
  if (c === 101 || c === 69 /* e E */) {
    let q = p + 1;
    const s = buf[q];
    if (s === 45 || s === 43) q++;
    const expStart = q;
    let exponent = 0;
    for (let d = buf[q]!; (CLASS[d]! & DIGIT) !== 0; d = buf[++q]!) {
      if (exponent < 100_000) exponent = exponent * 10 + (d - 48);
    }
    if (q > expStart) {
      p = q;
      scale += s === 45 ? -exponent : exponent;
    }
  }
  if (p > end || !(p === end || (CLASS[buf[p]!]! & TERMINATOR) !== 0)) return -1;
  if (digits <= 15 && scale >= -22 && scale <= 22) {
    out.value = scale < 0 ? (sign * mantissa) / POW10[-scale]! : sign * mantissa * POW10[scale]!;
  } else {
    out.value = Number(buf.toString('latin1', v, p));
  }
  return p;
}

const INFINITY = bytesOf('infinity');
const NAN = bytesOf('nan');
const INF = bytesOf('inf');

/** nan, inf, infinity in any case, at `p`, followed by a terminator. */
function wordNumberEnd(buf: Buffer, p: number, end: number, sign: number, out: Pair): number {
  let wordEnd = -1;
  for (const word of [INFINITY, NAN, INF]) {
    if (p + word.length <= end && equalsLowercase(buf, p, word)) {
      wordEnd = p + word.length;
      out.value = word === NAN ? Number.NaN : sign * Number.POSITIVE_INFINITY;
      break;
    }
  }
  if (wordEnd < 0 || wordEnd > end) return -1;
  return wordEnd === end || (CLASS[buf[wordEnd]!]! & TERMINATOR) !== 0 ? wordEnd : -1;
}

function equalsLowercase(buf: Buffer, p: number, word: Uint8Array): boolean {
  for (let i = 0; i < word.length; i++) {
    // | 0x20 lower-cases a letter; the word holds letters only, so no other byte can match.
    if ((buf[p + i]! | 0x20) !== word[i]) return false;
  }
  return true;
}

function bytesOf(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

const EPISODE = bytesOf('episode');

/** `episode` in any case, then a blank, at `at`: the start `episodeAt` looks for. */
function startsWithEpisode(buf: Buffer, at: number): boolean {
  return equalsLowercase(buf, at, EPISODE) && isBlank(buf[at + EPISODE.length]!);
}

/**
 * `Episode 10` (in any case) at `start`, then blanks, a whole number and a
 * terminator: pytorch/examples' reinforce.py and actor_critic.py print `Episode 10\tLast reward: …`.
 * Returns the number's end (and `out` filled), or -1.
 */
export function episodeAt(buf: Buffer, start: number, end: number, out: Pair): number {
  if (start + EPISODE.length >= end || !startsWithEpisode(buf, start)) return -1;
  let v = start + EPISODE.length;
  while (v < end && isBlank(buf[v]!)) v++;
  if ((CLASS[buf[v]!]! & DIGIT) === 0) return -1;
  const valueEnd = numberAt(buf, v, end, out);
  if (valueEnd < 0 || !Number.isInteger(out.value)) return -1;
  out.keyStart = start;
  out.keyEnd = start + EPISODE.length;
  out.valueStart = v;
  return valueEnd;
}
