import { formatBytes, formatValue } from '../format/numbers.js';
import { formatDuration } from '../format/time.js';
import type { RunResources } from './measure.js';
import type { Progress } from './progress.js';

/** Resources and progress as table cells and `show` lines. */

/** "85%", "312%" (three cores): as `ps` and `top` count it. */
export function formatCpu(resources: RunResources | undefined): string {
  if (!resources) return '';
  const cpu = resources.cpuPercent;
  return `${cpu > 0 && cpu < 9.95 ? cpu.toFixed(1) : Math.round(cpu)}%`;
}

export function formatMem(resources: RunResources | undefined): string {
  return resources ? formatBytes(resources.rssBytes) : '';
}

/** "0:2.1 GB 87%" per GPU, comma-separated; '' without a GPU. */
export function formatGpus(resources: RunResources | undefined): string {
  return (resources?.gpus ?? [])
    .map((gpu) => `${gpu.index}:${formatBytes(gpu.memoryBytes)}${gpu.utilizationPercent !== null ? ` ${gpu.utilizationPercent}%` : ''}`)
    .join(',');
}

/** "12,345", "1.2M": a step count short enough for a column. */
export function formatStep(step: number | null | undefined): string {
  if (step === null || step === undefined) return '';
  if (step >= 1e6) return `${Number((step / 1e6).toPrecision(3))}M`;
  if (step >= 1e4) return `${Number((step / 1e3).toPrecision(3))}k`;
  return String(Math.round(step));
}

export function formatRate(progress: Progress | null | undefined): string {
  const rate = progress?.stepsPerSecond;
  if (rate === null || rate === undefined) return '';
  return rate >= 100 ? String(Math.round(rate)) : String(Number(rate.toPrecision(2)));
}

export function formatEta(progress: Progress | null | undefined): string {
  const eta = progress?.etaSeconds;
  return eta === null || eta === undefined ? '' : formatDuration(eta * 1000);
}

/** "step 12,345 of 1,000,000 (1.2%) at 850 steps/s, ETA 3h 10m" for `show`. */
export function describeProgress(progress: Progress): string | undefined {
  if (progress.step === null) return undefined;
  const exact = (n: number) => Math.round(n).toLocaleString('en-US');
  const of = progress.total !== null ? ` of ${exact(progress.total)} (${((100 * progress.step) / progress.total).toFixed(1)}%)` : '';
  const rate = progress.stepsPerSecond !== null ? ` at ${formatRate(progress)} steps/s` : '';
  const eta = progress.etaSeconds !== null ? `, ETA ${formatEta(progress)}` : '';
  return `step ${exact(progress.step)}${of}${rate}${eta}`;
}

export function describeMain(progress: Progress | null | undefined): string {
  return progress?.main ? `${progress.main.name} ${formatValue(progress.main.last)}` : '';
}

const BARS = '▁▂▃▄▅▆▇█';

/** Pure: values as a line of block characters, lowest to highest; non-finite values as a space. */
export function sparkline(values: readonly number[]): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return '';
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  return values
    .map((value) => {
      if (!Number.isFinite(value)) return ' ';
      const at = max === min ? 3 : Math.round(((value - min) / (max - min)) * (BARS.length - 1));
      return BARS[at];
    })
    .join('');
}
