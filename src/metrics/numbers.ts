const SPECIAL: Record<string, number> = {
  nan: Number.NaN,
  inf: Number.POSITIVE_INFINITY,
  infinity: Number.POSITIVE_INFINITY,
};

/** A whole cell or token as a number, or undefined when it is empty or not a number. */
export function parseNumber(text: string): number | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const n = Number(t);
  if (!Number.isNaN(n)) return n;
  const sign = t[0] === '-' ? -1 : 1;
  const word = t.replace(/^[-+]/, '').toLowerCase();
  const special = SPECIAL[word];
  return special === undefined ? undefined : sign * special;
}
