import type { ResolvedConfig } from '../config/schema.js';
import { exitSummary, runDuration } from '../format/status.js';
import { ago } from '../format/time.js';
import type { TreeSample } from '../process/resources.js';
import { isEnded, statusFields } from '../registry/record.js';
import type { Registry, StoredRun } from '../registry/registry.js';
import { measureRuns } from '../resources/measure.js';
import { readProgress } from '../resources/read-progress.js';
import type { TopData, TopRun } from './frame.js';

/** Ended runs shown below the live ones: the newest few of the last day. */
const RECENT_MS = 24 * 60 * 60 * 1000;
const RECENT_COUNT = 5;
/** Values of the main metric kept for its sparkline. */
const TREND_POINTS = 16;

export interface Gathered {
  data: TopData;
  runs: Map<string, StoredRun>;
  /** This frame's readings, for the next frame's CPU. */
  samples: Map<string, TreeSample>;
}

/** Reads what one frame of `top` shows: every live run (all of them, not just the newest) and the recently ended. */
export async function gatherTop(registry: Registry, config: Pick<ResolvedConfig, 'metrics' | 'progress'>, previous?: ReadonlyMap<string, TreeSample>, now = new Date()): Promise<Gathered> {
  const endedAt = (run: StoredRun) => Date.parse(statusFields(run.record.status).endedAt ?? (run.record.status.state === 'lost' ? run.record.status.detectedAt : '')) || 0;
  const { runs } = registry.list({ filter: (run) => !isEnded(run.record.status) || now.getTime() - endedAt(run) < RECENT_MS });
  const active = runs.filter((run) => !isEnded(run.record.status));
  const ended = runs
    .filter((run) => isEnded(run.record.status))
    .sort((a, b) => endedAt(b) - endedAt(a))
    .slice(0, RECENT_COUNT);
  const { resources, samples } = await measureRuns(active, previous, now.getTime());
  const topRun = async (run: StoredRun): Promise<TopRun> => {
    const { record } = run;
    const fields = statusFields(record.status);
    const live = !isEnded(record.status);
    return {
      id: record.id,
      state: record.status.state,
      ...(fields.reason ? { reason: fields.reason } : {}),
      duration: runDuration(record, now),
      ...(live ? {} : { exit: exitSummary(record), endedAgo: ago(new Date(endedAt(run)), now) }),
      progress: record.status.state === 'running' ? await readProgress(run, config, TREND_POINTS) : null,
      resources: resources.get(record.id) ?? null,
    };
  };
  const data: TopData = { active: await Promise.all(active.map(topRun)), ended: await Promise.all(ended.map(topRun)), now };
  return { data, runs: new Map(runs.map((run) => [run.record.id, run])), samples };
}
