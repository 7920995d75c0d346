import { parseNumber } from './numbers.js';
import { normaliseMetricName } from './series.js';

export interface NamedValue {
  name: string;
  value: number;
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
