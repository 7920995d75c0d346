import { pathToFileURL } from 'node:url';
import { type Band, seriesXY, tQuantileTable } from '../compare/curves.js';
import type { MetricStatistics } from '../compare/group-stats.js';
import { type ComparePlan, constantValue } from '../compare/plan.js';
import { formatParam } from '../compare/params.js';
import { formatScoreSpec, type ScoreSpec } from '../compare/score.js';
import { formatValue } from '../format/numbers.js';
import type { MetricPoint } from '../metrics/series.js';
import type { Estimate, StatsOptions } from '../stats/summary.js';
import { STYLE } from './html-assets.js';
import { pageScript } from './html-page.js';
import { uplotAssets } from './uplot-asset.js';

export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/**
 * Points per run and metric in the page, which smooths them when its slider moves; a longer series
 * is evenly thinned to this first (the reader keeps 20,000 at most: series-builder.ts). TensorBoard
 * smooths ~1,000 sampled points (tensorboard#1518). The summaries and statistics use every point.
 */
export const PAGE_POINTS = 10_000;
/** Points of a chart's common x grid. */
const GRID_POINTS = 400;

export interface ReportOptions {
  /** Replicate groups (label, run ids); without, one line per run labelled by its id. */
  groups?: { label: string; runs: string[] }[] | undefined;
  statistics?: { perMetric: readonly MetricStatistics[]; stats: StatsOptions; score: ScoreSpec; optimalityGap: boolean } | undefined;
  band?: Band;
  smooth?: number;
  confidence?: number;
}

/**
 * The whole `--html` report as one string: a chart per metric with each group's mean and band
 * (uPlot, inlined), a smoothing slider, log and x-axis toggles; the group statistics with their
 * intervals and P(X > Y); the per-run parameter table with run ids linked to their directories.
 * No external resources, so it opens offline and makes no network requests.
 */
export function renderHtmlReport(plan: ComparePlan, generatedAt: string, options: ReportOptions = {}): string {
  const runs = plan.rows.map((row) => row.run);
  const groups = options.groups ?? runs.map((run) => ({ label: run.id, runs: [run.id] }));
  const runIndex = new Map(runs.map((run, i) => [run.id, i]));
  const colourOf = (group: number) => PALETTE[group % PALETTE.length]!;
  const groupOfRun = new Map(groups.flatMap((group, g) => group.runs.map((id) => [id, g] as const)));
  const maxRuns = Math.max(2, ...groups.map((group) => group.runs.length));
  const confidence = options.confidence ?? 0.95;
  const data = {
    band: options.band ?? 'ci',
    smooth: options.smooth ?? 0,
    gridSize: GRID_POINTS,
    tQuantiles: tQuantileTable(maxRuns, confidence),
    groups: groups.map((group, g) => ({ label: group.label, colour: colourOf(g), runs: group.runs.map((id) => runIndex.get(id)!) })),
    charts: plan.metrics.map((metric) => {
      const perRun = runs.map((run) => pageSeries(run.series.get(metric)?.points ?? []));
      return { metric, wall: perRun.every((series) => series === null || series.w !== null), runs: perRun };
    }),
  };
  const bandName = { ci: `${Math.round(confidence * 1000) / 10}% CI of the mean`, std: '±1 standard deviation', minmax: 'min–max', none: 'none' }[data.band];
  const charts = plan.metrics.map(
    (metric, i) => `<section class="chart" data-metric="${escapeHtml(metric)}" data-index="${i}"><h2>${escapeHtml(metric)}</h2><div class="plot"></div><p class="note"></p></section>`,
  );
  const { script, style } = uplotAssets();
  // `<` escaped so no value can close the script element.
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>rl-run compare: ${escapeHtml(groups.map((group) => group.label).join(', '))}</title>
<style>${style}</style>
<style>${STYLE}</style>
</head>
<body>
<h1>rl-run compare</h1>
<p class="meta">${runs.length} runs in ${groups.length} ${groups.length === 1 ? 'group' : 'groups'} · generated ${escapeHtml(generatedAt)} · lines: ${options.groups ? 'the mean of each group' : 'each run'}, band: ${escapeHtml(bandName)} (none where fewer than 2 runs)</p>
<div class="controls">
<label>smoothing <input type="range" id="smooth" min="0" max="0.99" step="0.01"> <output id="smooth-value"></output></label>
<label><input type="checkbox" id="log"> log scale</label>
<span>x axis: <label><input type="radio" name="x" value="step" checked> step</label> <label><input type="radio" name="x" value="wall"> wall time</label></span>
<span class="hint">drag to zoom, double-click to reset</span>
</div>
${options.statistics ? statisticsHtml(options.statistics, groups.map((_, g) => colourOf(g))) : ''}
<div class="charts">${charts.join('\n')}</div>
<h2>runs</h2>
${runsTable(plan, (id) => colourOf(groupOfRun.get(id) ?? 0), options.groups ? (id) => groups[groupOfRun.get(id)!]?.label ?? '' : undefined)}
<script type="application/json" id="report-data">${json}</script>
<script>${script}</script>
<script>${pageScript()}</script>
</body>
</html>
`;
}

/** A run's points for the page: evenly thinned past PAGE_POINTS (the last kept), wall times relative to none. */
function pageSeries(points: readonly MetricPoint[]): { s: number[]; v: number[]; w: number[] | null } | null {
  const { x, y } = seriesXY(points);
  if (x.length === 0) return null;
  const stride = Math.ceil(x.length / PAGE_POINTS);
  const keep = x.map((_, i) => i).filter((i) => i % stride === 0 || i === x.length - 1);
  const finite = points.filter((p) => Number.isFinite(p.step));
  const wall = finite.every((p) => p.wallTime !== undefined && Number.isFinite(p.wallTime)) ? keep.map((i) => finite[i]!.wallTime!) : null;
  // JSON has no NaN: a missing value is null, which the smoothing passes through.
  return { s: keep.map((i) => x[i]!), v: keep.map((i) => (Number.isFinite(y[i]!) ? y[i]! : (null as unknown as number))), w: wall };
}

function statisticsHtml(statistics: NonNullable<ReportOptions['statistics']>, colours: string[]): string {
  const { stats, score } = statistics;
  const level = `${Math.round(stats.confidence * 1000) / 10}%`;
  const cell = ({ value, ci }: Estimate) => `${escapeHtml(formatValue(value))}${ci ? ` <span class="ci">[${escapeHtml(formatValue(ci[0]))}, ${escapeHtml(formatValue(ci[1]))}]</span>` : ''}`;
  const sections = statistics.perMetric.map(({ metric, result, notes }) => {
    const labels = result.groups.map((group) => group.label);
    const swatch = (label: string) => {
      const colour = colours[labels.indexOf(label)] ?? '#999';
      return `<span class="swatch" style="background:${colour}"></span>${escapeHtml(label)}`;
    };
    const header = ['group', 'n', `IQM [${level}]`, `mean [${level}]`, `median [${level}]`, ...(statistics.optimalityGap ? [`optimality gap (γ=${formatValue(stats.gamma)})`] : [])];
    const rows = result.groups.map(
      (group) =>
        `<tr><td>${swatch(group.label)}</td><td>${group.n}</td><td>${cell(group.iqm)}</td><td>${cell(group.mean)}</td><td>${cell(group.median)}</td>${statistics.optimalityGap ? `<td>${cell(group.optimalityGap)}</td>` : ''}</tr>`,
    );
    const pairs = new Map(result.probabilityOfImprovement.map((p) => [`${p.x}\0${p.y}`, p]));
    const poi = (x: string, y: string): string => {
      if (x === y) return '-';
      const direct = pairs.get(`${x}\0${y}`);
      if (direct) return cell(direct);
      const other = pairs.get(`${y}\0${x}`)!;
      return cell({ value: 1 - other.value, ci: other.ci ? [1 - other.ci[1], 1 - other.ci[0]] : null });
    };
    const matrix =
      labels.length < 2
        ? ''
        : `<h3>probability of improvement P(row &gt; column)</h3><table class="runs poi"><thead><tr><th></th>${labels.map((l) => `<th>${escapeHtml(l)}</th>`).join('')}</tr></thead><tbody>${labels
            .map((x) => `<tr><th>${swatch(x)}</th>${labels.map((y) => `<td>${poi(x, y)}</td>`).join('')}</tr>`)
            .join('')}</tbody></table>`;
    const warnings = [...notes, ...result.warnings].map((w) => `<li>${escapeHtml(w)}</li>`).join('');
    return `<section class="stats" data-metric="${escapeHtml(metric)}"><h3>${escapeHtml(metric)} · score: ${escapeHtml(formatScoreSpec(score))} · intervals: ${escapeHtml(stats.ciMethod)}</h3><table class="runs groups"><thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>${matrix}${warnings ? `<ul class="warnings">${warnings}</ul>` : ''}</section>`;
  });
  return `<h2>group statistics</h2>\n${sections.join('\n')}\n<h2>curves</h2>`;
}

function runsTable(plan: ComparePlan, colourOf: (id: string) => string, groupOf: ((id: string) => string) | undefined): string {
  const header = ['run', ...(groupOf ? ['group'] : []), 'status', 'duration', ...plan.paramColumns, ...plan.constantColumns, ...plan.metrics.flatMap((m) => [`${m} last`, 'best'])];
  const rows = plan.rows.map(({ run, cells }) => {
    const swatch = `<span class="swatch" style="background:${colourOf(run.id)}"></span>`;
    const link = `<a href="${escapeHtml(pathToFileURL(run.dir).href)}">${escapeHtml(run.id)}</a>`;
    const values = [
      ...(groupOf ? [groupOf(run.id)] : []),
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
  return `<table class="runs"><thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
