import { formatValue } from '../format/numbers.js';
import { lttb } from '../metrics/downsample.js';
import type { MetricPoint } from '../metrics/series.js';

export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

export interface ChartLine {
  runId: string;
  colour: string;
  points: readonly MetricPoint[];
}

/** What the page's hover script needs for one chart; points are [step, value]. */
export interface ChartData {
  metric: string;
  x: [number, number];
  y: [number, number];
  lines: { runId: string; colour: string; points: [number, number][] }[];
}

const W = 760;
const H = 280;
const M = { left: 70, right: 16, top: 12, bottom: 36 };
/** Points per line in the page; millions of points are reduced with LTTB, summaries are not. */
const MAX_POINTS = 1500;

/** An SVG line chart, one `<path class="series">` per run, and the data for hovering over it. Pure. */
export function renderChart(metric: string, lines: readonly ChartLine[]): { svg: string; data: ChartData } {
  const sampled = lines.map((line) => ({ ...line, points: lttb(line.points, MAX_POINTS) })).filter((line) => line.points.length > 0);
  const all = sampled.flatMap((line) => line.points);
  const x = padded(all.map((p) => p.step));
  const y = padded(all.map((p) => p.value));
  const sx = (step: number) => M.left + ((step - x[0]) / (x[1] - x[0])) * (W - M.left - M.right);
  const sy = (value: number) => M.top + ((y[1] - value) / (y[1] - y[0])) * (H - M.top - M.bottom);
  const grid: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const yv = y[0] + ((y[1] - y[0]) * i) / 4;
    const xv = x[0] + ((x[1] - x[0]) * i) / 4;
    grid.push(
      `<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${sy(yv).toFixed(1)}" y2="${sy(yv).toFixed(1)}"/>`,
      `<text class="tick" x="${M.left - 6}" y="${(sy(yv) + 4).toFixed(1)}" text-anchor="end">${escapeHtml(formatValue(yv))}</text>`,
      `<text class="tick" x="${sx(xv).toFixed(1)}" y="${H - M.bottom + 16}" text-anchor="${i === 0 ? 'start' : i === 4 ? 'end' : 'middle'}">${escapeHtml(formatValue(xv))}</text>`,
    );
  }
  const paths = sampled.map((line) => {
    const d = line.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.step).toFixed(1)},${sy(p.value).toFixed(1)}`).join('');
    const path = `<path class="series" data-run="${escapeHtml(line.runId)}" stroke="${line.colour}" d="${d}"/>`;
    // A path through one point draws nothing; a dot shows it.
    const only = line.points.length === 1 ? line.points[0]! : undefined;
    return only ? `${path}<circle cx="${sx(only.step).toFixed(1)}" cy="${sy(only.value).toFixed(1)}" r="3" fill="${line.colour}"/>` : path;
  });
  const svg = [
    `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(metric)} by step">`,
    ...grid,
    `<text class="axis-label" x="${(W + M.left) / 2}" y="${H - 4}" text-anchor="middle">step</text>`,
    ...paths,
    `<line class="cursor" y1="${M.top}" y2="${H - M.bottom}" x1="-10" x2="-10"/>`,
    '</svg>',
  ].join('');
  const data: ChartData = {
    metric,
    x,
    y,
    lines: sampled.map((line) => ({ runId: line.runId, colour: line.colour, points: line.points.map((p) => [p.step, p.value]) })),
  };
  return { svg, data };
}

export const CHART_GEOMETRY = { W, H, M };

function padded(values: number[]): [number, number] {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!Number.isFinite(min)) return [0, 1];
  if (min === max) return [min - 1, max + 1];
  return [min, max];
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
