/**
 * Turns what a user typed to name a run into one run id. Pure: works on the registry's index,
 * newest first.
 *   full id · unique id prefix · latest · latest~N · a run name (its latest run)
 */
export interface IndexEntry {
  id: string;
  name: string;
}

export type Resolution =
  | { kind: 'found'; id: string }
  | { kind: 'ambiguous'; candidates: string[] }
  | { kind: 'unknown'; suggestions: string[] };

const LATEST = /^latest(?:~(\d+))?$/;

/** N for `latest~N` (0 for `latest`), or null for any other selector. */
export function latestOffset(selector: string): number | null {
  const latest = LATEST.exec(selector);
  return latest ? Number(latest[1] ?? 0) : null;
}

export function resolveSelector(selector: string, newestFirst: readonly IndexEntry[]): Resolution {
  const offset = latestOffset(selector);
  if (offset !== null) {
    const entry = newestFirst[offset];
    return entry ? { kind: 'found', id: entry.id } : { kind: 'unknown', suggestions: [] };
  }
  const exact = newestFirst.find((entry) => entry.id === selector);
  if (exact) return { kind: 'found', id: exact.id };
  const byName = newestFirst.find((entry) => entry.name === selector);
  if (byName) return { kind: 'found', id: byName.id };
  const prefixed = newestFirst.filter((entry) => entry.id.startsWith(selector));
  if (prefixed.length === 1) return { kind: 'found', id: prefixed[0]!.id };
  if (prefixed.length > 1) return { kind: 'ambiguous', candidates: prefixed.map((entry) => entry.id) };
  return { kind: 'unknown', suggestions: closestMatches(selector, newestFirst) };
}

/** Up to three ids whose name is closest to what was typed. */
export function closestMatches(selector: string, entries: readonly IndexEntry[], count = 3): string[] {
  const needle = selector.toLowerCase();
  const scored = entries.map((entry) => {
    const name = entry.name.toLowerCase();
    const contains = entry.id.toLowerCase().includes(needle) || needle.includes(name);
    return { id: entry.id, score: contains ? 0 : editDistance(needle, name) };
  });
  const limit = Math.max(2, Math.floor(needle.length / 2));
  return scored
    .filter((s) => s.score <= limit)
    .sort((a, b) => a.score - b.score)
    .slice(0, count)
    .map((s) => s.id);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}
