import type { ProcessRef } from './ref.js';
import { CLOCK_TICKS_PER_SECOND, readUptimeSeconds, readUsage } from './proc.js';
import { findProcessesOfRuns } from './tree.js';

/** A run to measure: its id (membership), its script (the tree's root) and what is not its own (the runner). */
export interface RunTree {
  runId: string;
  root?: ProcessRef;
  exclude?: readonly ProcessRef[];
}

/** One reading of a run's processes. */
export interface TreeSample {
  atMs: number;
  /** CPU ticks so far, by `pid:startTime`, so a reused pid is a new process. */
  cpuTicks: Map<string, number>;
  pids: number[];
  /** VmRSS summed over the processes. */
  rssBytes: number;
  /** VmHWM summed: each process's own peak, an upper bound for the peak of their sum. */
  peakRssBytes: number;
  /** CPU % as `ps` counts it (each process's CPU time over its lifetime, summed): 100 = one core. */
  lifetimeCpuPercent: number;
}

/** Reads every given run's processes (one walk of /proc for all of them). Linux only: elsewhere, no entry. */
export function sampleRunTrees(runs: readonly RunTree[], now = Date.now()): Map<string, TreeSample> {
  const samples = new Map<string, TreeSample>();
  const uptime = readUptimeSeconds();
  if (uptime === undefined || runs.length === 0) return samples;
  const members = findProcessesOfRuns(runs.map(({ runId, root }) => ({ runId, ...(root ? { root } : {}) })));
  for (const run of runs) {
    const excluded = new Set((run.exclude ?? []).map((ref) => ref.pid));
    const sample: TreeSample = { atMs: now, cpuTicks: new Map(), pids: [], rssBytes: 0, peakRssBytes: 0, lifetimeCpuPercent: 0 };
    for (const ref of members.get(run.runId) ?? []) {
      if (excluded.has(ref.pid)) continue;
      const usage = readUsage(ref.pid);
      // Ended or replaced since the walk: not this run's any more.
      if (!usage || (ref.startTime !== undefined && usage.startTime !== ref.startTime)) continue;
      sample.cpuTicks.set(`${ref.pid}:${usage.startTime}`, usage.cpuTicks);
      sample.pids.push(ref.pid);
      sample.rssBytes += usage.rssBytes;
      sample.peakRssBytes += usage.peakRssBytes;
      const lifetime = uptime - usage.startTime / CLOCK_TICKS_PER_SECOND;
      if (lifetime > 0) sample.lifetimeCpuPercent += (100 * usage.cpuTicks) / CLOCK_TICKS_PER_SECOND / lifetime;
    }
    samples.set(run.runId, sample);
  }
  return samples;
}

/**
 * Pure: CPU % between two readings of one run (100 = one core), as `top` shows it. A process new
 * in `after` started in between: all of its CPU time falls in the interval.
 */
export function cpuPercentBetween(before: TreeSample, after: TreeSample): number {
  const seconds = (after.atMs - before.atMs) / 1000;
  if (seconds <= 0) return after.lifetimeCpuPercent;
  let ticks = 0;
  for (const [key, now] of after.cpuTicks) ticks += Math.max(0, now - (before.cpuTicks.get(key) ?? 0));
  return (100 * ticks) / CLOCK_TICKS_PER_SECOND / seconds;
}
