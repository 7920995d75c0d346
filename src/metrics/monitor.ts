import { parseNumber } from './numbers.js';
import type { MetricSeries, MetricWarning } from './series.js';
import { SeriesSet } from './series-builder.js';

export interface MonitorEpisode {
  reward: number;
  length: number;
  /** Seconds since the epoch: the file's t_start plus the episode's t. */
  wallTime: number;
}

/**
 * A `monitor.csv` of SB3 or OpenAI baselines, fed line by line: a `#{"t_start": ...}` line (old
 * baselines wrote `# {...} `), then `r,l,t` (maybe with extra columns) and one row per episode.
 */
export class MonitorExtractor {
  private tStart = 0;
  private columns: { r: number; l: number; t: number } | undefined;
  readonly episodes: MonitorEpisode[] = [];
  readonly warnings: MetricWarning[] = [];

  constructor(private readonly source: string) {}

  line(text: string, lineNumber: number): void {
    if (text.trim() === '') return;
    if (lineNumber === 1 && text.startsWith('#')) {
      this.tStart = this.parseTStart(text.slice(1), lineNumber);
      return;
    }
    const cells = text.split(',');
    if (!this.columns) {
      const r = cells.indexOf('r');
      const l = cells.indexOf('l');
      const t = cells.indexOf('t');
      if (r < 0 || l < 0 || t < 0) {
        this.warnings.push({ file: this.source, line: lineNumber, message: 'expected a header with r,l,t columns' });
        this.columns = { r: 0, l: 1, t: 2 };
        return;
      }
      this.columns = { r, l, t };
      return;
    }
    const reward = parseNumber(cells[this.columns.r] ?? '');
    const length = parseNumber(cells[this.columns.l] ?? '');
    const t = parseNumber(cells[this.columns.t] ?? '');
    if (reward === undefined || length === undefined || t === undefined) {
      this.warnings.push({ file: this.source, line: lineNumber, message: 'episode row without numeric r, l and t' });
      return;
    }
    this.episodes.push({ reward, length, wallTime: this.tStart + t });
  }

  private parseTStart(json: string, lineNumber: number): number {
    try {
      const header: unknown = JSON.parse(json.trim());
      const tStart = (header as { t_start?: unknown }).t_start;
      if (typeof tStart === 'number') return tStart;
    } catch {
      // reported below
    }
    this.warnings.push({ file: this.source, line: lineNumber, message: 'monitor header has no numeric t_start' });
    return 0;
  }
}

/**
 * All monitor files of a run as one episode stream, as SB3's `load_results` does: episodes of every
 * env ordered by wall time, the step being the environment steps summed over all of them so far.
 */
export function monitorSeries(source: string, episodes: MonitorEpisode[], maxPoints?: number): MetricSeries[] {
  const ordered = [...episodes].sort((a, b) => a.wallTime - b.wallTime);
  const set = new SeriesSet('monitor', source, maxPoints);
  let steps = 0;
  for (const episode of ordered) {
    steps += episode.length;
    set.add('monitor/ep_rew', episode.reward, steps, episode.wallTime);
    set.add('monitor/ep_len', episode.length, steps, episode.wallTime);
  }
  return set.build();
}
