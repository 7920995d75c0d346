import path from 'node:path';
import { formatValue } from '../format/numbers.js';
import { renderTable } from '../format/table.js';
import { splitConstants } from '../metrics/constants.js';
import type { MetricSeries, SeriesSummary } from '../metrics/series.js';

/**
 * What `rl-run metrics <run>` prints: the metrics, then the constants (one-point series) in a
 * section of their own; an empty string when the run has neither. Pure.
 */
export function renderMetricsListing(series: Iterable<MetricSeries>, runDir: string): string {
  const { metrics, constants } = splitConstants(series);
  const source = (s: MetricSeries) => path.relative(runDir, s.source) || s.source;
  const parts: string[] = [];
  if (metrics.length > 0) {
    parts.push(
      renderTable(
        ['NAME', 'KIND', 'SOURCE', 'POINTS', 'LAST', 'MIN', 'MAX', 'LAST STEP'],
        metrics.map((s) => [
          s.name,
          s.kind,
          source(s),
          String(s.summary.count),
          formatValue(s.summary.last),
          formatValue(s.summary.min),
          formatValue(s.summary.max),
          formatValue(s.summary.lastStep),
        ]),
      ),
    );
  }
  if (constants.length > 0) {
    if (parts.length > 0) parts.push('');
    parts.push(
      'Constants (logged once):',
      renderTable(['NAME', 'KIND', 'SOURCE', 'VALUE'], constants.map((s) => [s.name, s.kind, source(s), formatValue(s.summary.last)])),
    );
  }
  return parts.join('\n');
}

/** `metrics --json`: `{id, metrics: [{name, kind, source, last, min, max, count, lastStep}], constants: [the same]}`. */
export function metricsListingJson(id: string, series: Iterable<MetricSeries>): unknown {
  const { metrics, constants } = splitConstants(series);
  const entry = (s: MetricSeries) => ({ name: s.name, kind: s.kind, source: s.source, ...nullable(s.summary) });
  return { id, metrics: metrics.map(entry), constants: constants.map(entry) };
}

function nullable(summary: SeriesSummary): Record<string, number | null> {
  return Object.fromEntries(Object.entries(summary).map(([k, v]) => [k, Number.isFinite(v) ? v : null]));
}
