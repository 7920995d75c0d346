import { pathToFileURL } from 'node:url';
import { formatValue } from '../format/numbers.js';
import { formatParam } from '../compare/params.js';
import { type ComparePlan, constantValue } from '../compare/plan.js';
import { CHART_GEOMETRY, type ChartData, escapeHtml, PALETTE, renderChart } from './html-chart.js';
import { HOVER_SCRIPT, STYLE } from './html-assets.js';

/**
 * The whole `--html` report as one string: the parameter table with run ids linked to their
 * directories, and a chart per metric with one line per run. No external resources, so it opens
 * offline and makes no network requests. Pure.
 */
export function renderHtmlReport(plan: ComparePlan, generatedAt: string): string {
  const colourOf = new Map(plan.rows.map((row, i) => [row.run.id, PALETTE[i % PALETTE.length]!]));
  const charts: string[] = [];
  const data: ChartData[] = [];
  for (const metric of plan.metrics) {
    const lines = plan.rows
      .map(({ run }) => ({ runId: run.id, colour: colourOf.get(run.id)!, points: run.series.get(metric)?.points ?? [] }))
      .filter((line) => line.points.length > 0);
    const chart = renderChart(metric, lines);
    charts.push(
      `<section class="chart" data-metric="${escapeHtml(metric)}" data-index="${data.length}"><h2>${escapeHtml(metric)}</h2>${chart.svg}<div class="tooltip" hidden></div></section>`,
    );
    data.push(chart.data);
  }
  const header = ['run', 'status', 'duration', ...plan.paramColumns, ...plan.constantColumns, ...plan.metrics.flatMap((m) => [`${m} last`, 'best'])];
  const rows = plan.rows.map(({ run, cells }) => {
    const swatch = `<span class="swatch" style="background:${colourOf.get(run.id)}"></span>`;
    const link = `<a href="${escapeHtml(pathToFileURL(run.dir).href)}">${escapeHtml(run.id)}</a>`;
    const values = [
      run.status,
      run.duration,
      ...plan.paramColumns.map((key) => formatParam(run.params[key])),
      ...plan.constantColumns.map((name) => {
        const value = constantValue(run, name);
        return value === undefined ? '' : formatValue(value);
      }),
      ...plan.metrics.flatMap((m) => [formatValue(cells[m]?.last), formatValue(cells[m]?.best)]),
    ];
    return `<tr><td>${swatch}${link}</td>${values.map((v) => `<td>${escapeHtml(v)}</td>`).join('')}</tr>`;
  });
  // `<` escaped so no value can close the script element.
  const json = JSON.stringify({ geometry: CHART_GEOMETRY, charts: data }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>rl-run compare: ${escapeHtml(plan.rows.map((r) => r.run.id).join(', '))}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>rl-run compare</h1>
<p class="meta">${plan.rows.length} runs · generated ${escapeHtml(generatedAt)} · parameters shown: ${plan.paramColumns.length ? escapeHtml(plan.paramColumns.join(', ')) : 'none differ'}</p>
<table class="runs"><thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>
<div class="charts">${charts.join('\n')}</div>
<script type="application/json" id="chart-data">${json}</script>
<script>${HOVER_SCRIPT}</script>
</body>
</html>
`;
}
