import { hostname } from 'node:os';
import { cpuPercentBetween, sampleRunTrees, type TreeSample } from '../process/resources.js';
import type { RunRecord } from '../registry/record.js';
import type { StoredRun } from '../registry/registry.js';
import { readResourceReading } from '../registry/run-dir/index.js';
import { RESOURCE_SAMPLE_MS } from '../runner/resource-sampler.js';
import { type GpuUse, gpusOfPids, readGpus } from './gpu.js';

/** What a running run uses now, as `ls --json` gives it. */
export interface RunResources {
  /** 100 = one core. Over the runner's last few seconds when it measured lately, else the lifetime average `ps` shows. */
  cpuPercent: number;
  /** Resident memory of the script and every process of the run (environment workers), rl-run's runner not counted. */
  rssBytes: number;
  /** The largest RSS seen: the runner's readings, or now, whichever is larger. */
  peakRssBytes: number;
  gpus: GpuUse[];
}

export interface Measured {
  resources: Map<string, RunResources>;
  /** This reading, for the next one to measure CPU against (`top`). */
  samples: Map<string, TreeSample>;
}

/** A runner reading older than this is not "now" any more: the runner is busy or gone. */
const FRESH_MS = 4 * RESOURCE_SAMPLE_MS;

/** Whether rl-run can see the run's processes from here: running, and on this machine. */
export function measurable(record: RunRecord, host = hostname()): boolean {
  return record.status.state === 'running' && record.hostname === host && record.status.node === undefined;
}

/**
 * Measures every measurable run in one walk of /proc (and one nvidia-smi call, where there is
 * one). With `previous` readings (top's last frame), CPU is measured over the time since them.
 */
export async function measureRuns(runs: readonly StoredRun[], previous?: ReadonlyMap<string, TreeSample>, now = Date.now()): Promise<Measured> {
  const live = runs.filter(({ record }) => measurable(record));
  const samples = sampleRunTrees(
    live.map(({ record }) => ({
      runId: record.id,
      ...(record.pid !== undefined ? { root: { pid: record.pid, ...(record.pidStartTime !== undefined ? { startTime: record.pidStartTime } : {}) } } : {}),
      exclude: record.runner ? [record.runner] : [],
    })),
    now,
  );
  const resources = new Map<string, RunResources>();
  const withProcesses = live.filter(({ record }) => (samples.get(record.id)?.pids.length ?? 0) > 0);
  const gpus = withProcesses.length ? await readGpus() : null;
  for (const { record, layout } of withProcesses) {
    const sample = samples.get(record.id)!;
    const reading = readResourceReading(layout);
    const fresh = reading && now - Date.parse(reading.at) < FRESH_MS ? reading : null;
    const before = previous?.get(record.id);
    const cpuPercent = before ? cpuPercentBetween(before, sample) : (fresh?.cpuPercent ?? sample.lifetimeCpuPercent);
    resources.set(record.id, {
      cpuPercent: Math.round(cpuPercent * 10) / 10,
      rssBytes: sample.rssBytes,
      peakRssBytes: Math.max(reading?.peakRssBytes ?? 0, sample.rssBytes),
      gpus: gpus ? gpusOfPids(sample.pids, gpus.apps, gpus.devices) : [],
    });
  }
  return { resources, samples };
}
