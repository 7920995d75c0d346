import { readRunMetrics, SUMMARIES_ONLY } from '../metrics/read-run.js';
import type { RunLayout } from '../registry/run-dir/index.js';
import type { RunRecord } from '../registry/record.js';
import { chooseCheckpoint, listCheckpoints } from '../resume/checkpoint.js';
import type { Progress } from '../resume/progress.js';

/** Where a run stands: its newest checkpoint and its last logged metric step (see resume/progress.ts). */
export async function probeProgress(layout: RunLayout, record: RunRecord, glob: string): Promise<Progress> {
  const newest = chooseCheckpoint(await listCheckpoints(layout.dir, glob), Number.POSITIVE_INFINITY);
  let lastStep: number | null = null;
  try {
    const metrics = (record.config.metrics ?? {}) as { files?: string[]; patterns?: string[] };
    const { series } = await readRunMetrics(layout.dir, layout.stdout, {
      ...(metrics.files ? { files: metrics.files } : {}),
      ...(metrics.patterns ? { patterns: metrics.patterns } : {}),
      maxPoints: SUMMARIES_ONLY,
      // Only what was appended since the last read is parsed: a week-long log is not read whole at every restart.
      cacheFile: layout.metricsCache,
      moreLogs: [layout.stderr],
    });
    for (const one of series.values()) {
      const step = one.summary.lastStep;
      if (Number.isFinite(step) && (lastStep === null || step > lastStep)) lastStep = step; // the latest of the series
    }
  } catch {
    // unreadable metrics say nothing about progress; the checkpoint still does
  }
  return { checkpoint: newest ? `${newest.relative}@${newest.mtimeMs}` : null, lastStep };
}
