import type { ResolvedConfig } from '../config/schema.js';
import { formatBytes } from '../format/numbers.js';
import { describeMain, describeProgress, formatCpu, formatGpus } from '../resources/cells.js';
import type { StoredRun } from '../registry/registry.js';
import { readResourceReading } from '../registry/run-dir/index.js';
import { measureRuns, type RunResources } from '../resources/measure.js';
import type { Progress } from '../resources/progress.js';
import { readProgress } from '../resources/read-progress.js';

export interface ShowLive {
  resources: RunResources | null;
  progress: Progress | null;
  /** The largest RSS the runner saw, also for a run that has ended. */
  peakRssBytes: number | null;
}

/** What `show` adds: resources and progress while the run runs, and the peak RSS seen whenever it was measured. */
export async function showLive(run: StoredRun, config: ResolvedConfig): Promise<ShowLive> {
  const { resources } = await measureRuns([run]);
  const measured = resources.get(run.record.id) ?? null;
  const peak = measured?.peakRssBytes ?? readResourceReading(run.layout)?.peakRssBytes ?? null;
  return { resources: measured, progress: measured ? await readProgress(run, config) : null, peakRssBytes: peak };
}

/** The rows `show` prints for it (undefined rows are left out). */
export function liveRows(live: ShowLive): [string, string | undefined][] {
  const r = live.resources ?? undefined;
  return [
    ['cpu', r ? `${formatCpu(r)} (100% = one core; the script and its workers)` : undefined],
    ['memory', r ? `${formatBytes(r.rssBytes)} RSS now` : undefined],
    ['peak memory', live.peakRssBytes ? `${formatBytes(live.peakRssBytes)} RSS` : undefined],
    ['gpu', formatGpus(r) || undefined],
    ['progress', live.progress ? describeProgress(live.progress) : undefined],
    ['metric', describeMain(live.progress) || undefined],
  ];
}
