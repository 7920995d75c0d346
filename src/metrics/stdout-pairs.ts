import { NUMBER_PATTERN, parseNumber } from './numbers.js';
import { normaliseMetricName } from './series.js';

export interface NamedValue {
  name: string;
  value: number;
}

/**
 * `key=value` and `key: value` pairs on one log line. A key begins with a letter. After the line
 * start or a separator (`,` `;` `|` `(` `)` `[` `]` tab or ` - `) it may have up to three words
 * (`global step=2048, episodic return=-112.5`); after a plain space only one (`step=1 loss=0.5`), so
 * `model saved at step=5` still gives `step`. The value must end at a space, `,` `;` `|` `)` `}` or the line end,
 * which keeps `port.cc:153]` and `12:30:01` out.
 */
const WORD = String.raw`[A-Za-z_][\w./%-]*`;
const PAIR = new RegExp(
  String.raw`(?:(?:^|[,;|()\[\]{}\t]| - )\s*(${WORD}(?: ${WORD}){0,2})|(?<=\s)(${WORD}))` +
    String.raw`\s*(?:=|:(?!//))\s*(${NUMBER_PATTERN})(?=$|[\s,;|)}])`,
  'g',
);

/** Process bookkeeping that looks like a metric (`(pid=625502, ip=...)` in Ray errors). */
const NOT_METRICS = new Set(['pid', 'ppid', 'port']);

/** Ray prefixes worker output with `(Actor pid=123)`; that pid is not a metric. */
const RAY_PREFIX = /^\(\w+ pid=\d+(?:, ip=[\d.]+)?\)\s*/;

export function extractPairs(line: string): NamedValue[] {
  const text = RAY_PREFIX.test(line) ? line.replace(RAY_PREFIX, '') : line;
  const found: NamedValue[] = [];
  PAIR.lastIndex = 0;
  for (let m = PAIR.exec(text); m !== null; m = PAIR.exec(text)) {
    const value = parseNumber(m[3]!);
    const name = normaliseMetricName(m[1] ?? m[2]!);
    if (value !== undefined && !NOT_METRICS.has(name)) found.push({ name, value });
  }
  return found;
}

/** A user pattern from the config: `(?<name>..)(?<value>..)`, or groups named after metrics. */
export interface CompiledPattern {
  regex: RegExp;
  source: string;
}

export function compilePatterns(patterns: readonly string[]): { compiled: CompiledPattern[]; errors: string[] } {
  const compiled: CompiledPattern[] = [];
  const errors: string[] = [];
  for (const source of patterns) {
    try {
      compiled.push({ regex: new RegExp(source, 'g'), source });
    } catch (error) {
      errors.push(`metrics pattern ${JSON.stringify(source)} is not a valid regular expression: ${String(error)}`);
    }
  }
  return { compiled, errors };
}

export function extractWithPattern(line: string, pattern: CompiledPattern): NamedValue[] {
  const found: NamedValue[] = [];
  pattern.regex.lastIndex = 0;
  for (let m = pattern.regex.exec(line); m !== null; m = pattern.regex.exec(line)) {
    if (m[0] === '') pattern.regex.lastIndex++;
    const groups = m.groups ?? {};
    if (groups.name !== undefined && groups.value !== undefined) {
      const value = parseNumber(groups.value);
      if (value !== undefined) found.push({ name: normaliseMetricName(groups.name), value });
    }
    for (const [group, text] of Object.entries(groups)) {
      if (group === 'name' || group === 'value' || text === undefined) continue;
      const value = parseNumber(text);
      if (value !== undefined) found.push({ name: normaliseMetricName(group), value });
    }
  }
  return found;
}
