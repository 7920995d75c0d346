import { formatValue } from '../format/numbers.js';
import { lttb } from '../metrics/downsample.js';
import type { MetricPoint } from '../metrics/series.js';

export interface PlotLine {
  label: string;
  points: readonly MetricPoint[];
}

export interface PlotOptions {
  title: string;
  /** Total columns, labels included; 80 by default. */
  width?: number;
  /** Rows of the plot area. */
  height?: number;
  /** ANSI colours and braille dots; without, one ASCII marker per run. */
  colour: boolean;
}

const COLOURS = [36, 33, 35, 32, 31, 34, 96, 93, 95, 92, 91, 94];
const MARKERS = ['*', '+', 'o', 'x', '#', '@', '%', '&', '=', '$'];
// Braille dot bits by [row][column] within a 2x4 cell (Unicode U+2800 block).
const DOTS = [
  [0x01, 0x08],
  [0x02, 0x10],
  [0x04, 0x20],
  [0x40, 0x80],
];

/** A line chart for a terminal: x = step, one colour (or marker) per run, a legend below. Pure. */
export function renderPlot(lines: readonly PlotLine[], options: PlotOptions): string {
  const width = options.width ?? 80;
  const rows = options.height ?? 16;
  const finite = lines.map((line) => ({ ...line, points: line.points.filter((p) => Number.isFinite(p.value) && Number.isFinite(p.step)) }));
  const all = finite.flatMap((line) => line.points);
  if (all.length === 0) return `${options.title}: no values to plot`;
  let [xMin, xMax] = extent(all.map((p) => p.step));
  let [yMin, yMax] = extent(all.map((p) => p.value));
  if (xMin === xMax) [xMin, xMax] = [xMin - 1, xMax + 1];
  if (yMin === yMax) [yMin, yMax] = [yMin - 1, yMax + 1];
  const yLabels = [yMax, (yMin + yMax) / 2, yMin].map(formatValue);
  const labelWidth = Math.max(...yLabels.map((l) => l.length));
  const cols = Math.max(10, width - labelWidth - 2);
  const xScale = options.colour ? cols * 2 - 1 : cols - 1;
  const yScale = options.colour ? rows * 4 - 1 : rows - 1;
  const toX = (step: number) => Math.round(((step - xMin) / (xMax - xMin)) * xScale);
  const toY = (value: number) => Math.round(((yMax - value) / (yMax - yMin)) * yScale);

  const bits = new Uint8Array(cols * rows);
  const owner = new Int16Array(cols * rows).fill(-1);
  finite.forEach((line, index) => {
    const sampled = lttb(line.points, xScale + 1);
    if (options.colour) {
      for (let i = 0; i < sampled.length; i++) {
        const a = sampled[i]!;
        const b = sampled[i + 1] ?? a;
        drawSegment(toX(a.step), toY(a.value), toX(b.step), toY(b.value), (x, y) => {
          const cell = Math.floor(y / 4) * cols + Math.floor(x / 2);
          bits[cell]! |= DOTS[y % 4]![x % 2]!;
          owner[cell] = index;
        });
      }
    } else {
      for (const p of sampled) owner[toY(p.value) * cols + toX(p.step)] = index;
    }
  });

  const out: string[] = [options.title];
  for (let row = 0; row < rows; row++) {
    const label = row === 0 ? yLabels[0]! : row === rows - 1 ? yLabels[2]! : row === Math.floor(rows / 2) ? yLabels[1]! : '';
    let text = '';
    for (let col = 0; col < cols; col++) {
      const cell = row * cols + col;
      const who = owner[cell]!;
      if (who < 0) text += ' ';
      else if (options.colour) text += `\x1b[${COLOURS[who % COLOURS.length]}m${String.fromCharCode(0x2800 + bits[cell]!)}\x1b[0m`;
      else text += MARKERS[who % MARKERS.length];
    }
    out.push(`${label.padStart(labelWidth)} ┤${text.replace(/\s+$/, '')}`);
  }
  out.push(`${' '.repeat(labelWidth)} └${'─'.repeat(cols)}`);
  out.push(`${' '.repeat(labelWidth + 2)}${spread([formatValue(xMin), formatValue((xMin + xMax) / 2), formatValue(xMax)], cols)}`);
  out.push(`${' '.repeat(labelWidth + 2)}step`);
  lines.forEach((line, index) => {
    const swatch = options.colour ? `\x1b[${COLOURS[index % COLOURS.length]}m━━\x1b[0m` : ` ${MARKERS[index % MARKERS.length]}`;
    out.push(`  ${swatch} ${line.label}${finite[index]!.points.length === 0 ? ' (no values)' : ''}`);
  });
  return out.join('\n');
}

function extent(values: number[]): [number, number] {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}

/** Left, centre and right labels on one line of `width` columns. */
function spread(labels: [string, string, string], width: number): string {
  const [left, middle, right] = labels;
  const line = Array.from({ length: width }, () => ' ');
  const put = (text: string, at: number) => {
    for (let i = 0; i < text.length && at + i < width; i++) if (at + i >= 0) line[at + i] = text[i]!;
  };
  put(left, 0);
  put(middle, Math.floor((width - middle.length) / 2));
  put(right, width - right.length);
  return line.join('').trimEnd();
}

/** Bresenham between two dots, calling `plot` for each. */
function drawSegment(x0: number, y0: number, x1: number, y1: number, plot: (x: number, y: number) => void): void {
  const dx = Math.abs(x1 - x0);
  const dy = -Math.abs(y1 - y0);
  const sx = x0 < x1 ? 1 : -1;
  const sy = y0 < y1 ? 1 : -1;
  let err = dx + dy;
  let x = x0;
  let y = y0;
  for (;;) {
    plot(x, y);
    if (x === x1 && y === y1) return;
    const e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      x += sx;
    }
    if (e2 <= dx) {
      err += dx;
      y += sy;
    }
  }
}
