import { formatValue } from '../format/numbers.js';
import { renderTable } from '../format/table.js';
import type { SeriesSummary } from '../metrics/series.js';
import { type ComparePlan, constantValue } from './plan.js';
import { formatParam, type ParamValue } from './params.js';


export function renderCompareTable(plan: ComparePlan, colourStatus: (status: string) => string = (s) => s): string {
  const header = ['ID', 'STATUS', 'DURATION', ...plan.paramColumns, ...plan.constantColumns, ...plan.metrics.flatMap((m) => [m, 'best'])];
  const rows = plan.rows.map(({ run, cells }) => [
    run.id,
    colourStatus(run.status),
    run.duration,
    ...plan.paramColumns.map((key) => formatParam(run.params[key])),
    ...plan.constantColumns.map((name) => formatConstant(constantValue(run, name))),
    ...plan.metrics.flatMap((m) => [formatValue(cells[m]?.last), formatValue(cells[m]?.best)]),
  ]);
  return renderTable(header, rows);
}

interface JsonSummary {
  last: number | null;
  min: number | null;
  max: number | null;
  count: number;
  lastStep: number | null;
}

/** A constant's cell: its value, or nothing for a run without it (as for a parameter). */
function formatConstant(value: number | undefined): string {
  return value === undefined ? '' : formatValue(value);
}

/**
 * `--json`: `{runs: [{id, params, constants: {NAME: value}, metrics: {NAME: {last, min, max, count,
 * lastStep}}}], differingParams}`; without --metrics every metric, constants under `constants` only.
 */
export function compareJson(plan: ComparePlan, allMetrics: boolean): unknown {
  const constant = new Set(plan.constants);
  return {
    runs: plan.rows.map(({ run, cells }) => {
      const metrics: Record<string, JsonSummary> = {};
      const constants: Record<string, number | null> = {};
      for (const name of plan.constants) {
        const value = constantValue(run, name);
        if (value !== undefined) constants[name] = Number.isFinite(value) ? value : null;
      }
      if (allMetrics) {
        for (const [name, series] of run.series) if (!constant.has(name)) metrics[name] = jsonSummary(series.summary);
      } else {
        for (const name of plan.metrics) if (cells[name]) metrics[name] = jsonSummary(cells[name].summary);
      }
      return { id: run.id, status: run.status, dir: run.dir, params: run.params, constants, metrics };
    }),
    differingParams: plan.differingParams,
  };
}

function jsonSummary(s: SeriesSummary): JsonSummary {
  const n = (v: number) => (Number.isFinite(v) ? v : null);
  return { last: n(s.last), min: n(s.min), max: n(s.max), count: s.count, lastStep: n(s.lastStep) };
}

/** `--csv`: one header row, one row per run, RFC 4180 quoting. */
export function compareCsv(plan: ComparePlan): string {
  const header = ['id', 'status', 'duration', ...plan.paramColumns, ...plan.constantColumns, ...plan.metrics.flatMap((m) => [`${m} last`, `${m} best`])];
  const rows = plan.rows.map(({ run, cells }) => [
    run.id,
    run.status,
    run.duration,
    ...plan.paramColumns.map((key) => csvParam(run.params[key])),
    ...plan.constantColumns.map((name) => csvNumber(constantValue(run, name))),
    ...plan.metrics.flatMap((m) => [csvNumber(cells[m]?.last), csvNumber(cells[m]?.best)]),
  ]);
  return `${[header, ...rows].map((row) => row.map(csvCell).join(',')).join('\n')}\n`;
}

function csvParam(value: ParamValue | undefined): string {
  return formatParam(value);
}

function csvNumber(value: number | undefined): string {
  return value === undefined || Number.isNaN(value) ? '' : String(value);
}

function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
