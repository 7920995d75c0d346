import { type ProcessRef, processRef } from '../process/index.js';
import { cpuPercentBetween, sampleRunTrees, type TreeSample } from '../process/resources.js';
import { type RunLayout, readResourceReading, writeResourceReading } from '../registry/run-dir/index.js';

/**
 * How often the runner measures its script's process tree. A walk of /proc costs ~4 ms for 80
 * processes; at this pace `ls` shows CPU over the last few seconds without waiting to measure it.
 */
export const RESOURCE_SAMPLE_MS = 3_000;

/**
 * While the runner lives, measures the script's whole tree (environment workers included, the
 * runner itself not) every RESOURCE_SAMPLE_MS and keeps the latest reading and the largest RSS
 * seen in resources.json. Any error ends the sampling, never the runner.
 */
export function recordResources(layout: RunLayout, runId: string, script: () => ProcessRef | null): void {
  const self = processRef(process.pid);
  let peak = readResourceReading(layout)?.peakRssBytes ?? 0;
  let previous: TreeSample | undefined;
  const sample = () => {
    const root = script();
    if (!root) {
      previous = undefined;
      return;
    }
    try {
      const now = sampleRunTrees([{ runId, root, exclude: [self] }]).get(runId);
      if (!now) return clearInterval(timer);
      peak = Math.max(peak, now.rssBytes);
      const cpuPercent = previous ? cpuPercentBetween(previous, now) : now.lifetimeCpuPercent;
      previous = now;
      writeResourceReading(layout, { at: new Date(now.atMs).toISOString(), cpuPercent: round(cpuPercent), rssBytes: now.rssBytes, peakRssBytes: peak });
    } catch {
      clearInterval(timer);
    }
  };
  const timer = setInterval(sample, RESOURCE_SAMPLE_MS);
  timer.unref();
}

function round(percent: number): number {
  return Math.round(percent * 10) / 10;
}
