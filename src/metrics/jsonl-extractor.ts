import { type MetricSeries, type MetricWarning, normaliseMetricName } from './series.js';
import { SeriesSet } from './series-builder.js';

const STEP_FIELDS = ['step', 'global_step', '_step', 'total_timesteps', 'timesteps'];
const WALL_TIME_FIELDS = ['wall_time', '_timestamp', 'timestamp'];
// Python's json module writes these bare tokens, which JSON.parse rejects.
const NON_FINITE = /([:[,]\s*)(-?Infinity|NaN)(?=\s*[,}\]])/g;
const NON_FINITE_VALUES: Record<string, number> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
};

/**
 * JSON lines (`metrics.jsonl`, baselines `progress.json`): one object per line, every numeric field
 * a metric (nested objects flattened with `/`), `step`/`global_step` the step.
 */
export class JsonlExtractor {
  private readonly series: SeriesSet;
  readonly warnings: MetricWarning[] = [];

  constructor(
    private readonly source: string,
    maxPoints?: number,
  ) {
    this.series = new SeriesSet('jsonl', source, maxPoints);
  }

  line(text: string, lineNumber: number): void {
    const trimmed = text.trim();
    if (trimmed === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(prepare(trimmed));
    } catch (error) {
      this.warnings.push({ file: this.source, line: lineNumber, message: `not a JSON object: ${String(error)}` });
      return;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      this.warnings.push({ file: this.source, line: lineNumber, message: 'not a JSON object' });
      return;
    }
    const values = new Map<string, number>();
    if (!flatten(parsed as Record<string, unknown>, values)) {
      this.warnings.push({ file: this.source, line: lineNumber, message: `values nested deeper than ${MAX_DEPTH} levels skipped` });
    }
    const step = firstOf(values, STEP_FIELDS);
    const wallTime = firstOf(values, WALL_TIME_FIELDS);
    for (const [name, value] of values) {
      if (STEP_FIELDS.includes(name) || WALL_TIME_FIELDS.includes(name)) continue;
      this.series.add(name, value, step, wallTime);
    }
  }

  finish(): MetricSeries[] {
    return this.series.build();
  }
}

function prepare(text: string): string {
  if (!text.includes('NaN') && !text.includes('Infinity')) return text;
  return text.replace(NON_FINITE, (_, before: string, token: string) => `${before}"\\u0000${token}"`);
}

/** Metric names are a few levels deep (`train/loss`); a line nested deeper is not a metrics record. */
const MAX_DEPTH = 32;

/**
 * The numbers of `object`, nested objects' names joined with `/`, in order. Without recursion, so
 * no nesting overflows the stack (a line nested 10,000 deep once dropped its whole file); whatever
 * is deeper than MAX_DEPTH is left out, and the result is false.
 */
function flatten(object: Record<string, unknown>, into: Map<string, number>): boolean {
  let complete = true;
  const stack: { entries: [string, unknown][]; next: number; prefix: string }[] = [{ entries: Object.entries(object), next: 0, prefix: '' }];
  while (stack.length > 0) {
    const top = stack.at(-1)!;
    if (top.next === top.entries.length) {
      stack.pop();
      continue;
    }
    const [key, value] = top.entries[top.next++]!;
    const name = normaliseMetricName(top.prefix + key);
    if (typeof value === 'number') into.set(name, value);
    else if (typeof value === 'string' && value.startsWith('\u0000')) into.set(name, NON_FINITE_VALUES[value.slice(1)]!);
    else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      if (stack.length < MAX_DEPTH) stack.push({ entries: Object.entries(value), next: 0, prefix: `${name}/` });
      else complete = false;
    }
  }
  return complete;
}

function firstOf(values: Map<string, number>, fields: readonly string[]): number | undefined {
  for (const field of fields) {
    const value = values.get(field);
    if (value !== undefined && Number.isFinite(value)) return value;
  }
  return undefined;
}
