import type { ResolvedConfig } from '../config/schema.js';
import { formatCpu, formatGpus, formatMem } from '../resources/cells.js';
import type { StoredRun } from '../registry/registry.js';
import { measureRuns, type RunResources } from '../resources/measure.js';
import type { Progress } from '../resources/progress.js';
import { readProgress } from '../resources/read-progress.js';

/**
 * What `ls` adds for running runs: CPU, MEM and GPU columns (GPU only where a run uses one), and
 * `resources` and `progress` in --json. An ended run gets neither.
 */
export interface LiveColumns {
  header: string[];
  cells(id: string): string[];
}

export async function liveColumns(runs: readonly StoredRun[]): Promise<{ columns: LiveColumns; resources: Map<string, RunResources> }> {
  const { resources } = await measureRuns(runs);
  const gpu = [...resources.values()].some((r) => r.gpus.length > 0);
  const header = resources.size ? ['CPU', 'MEM', ...(gpu ? ['GPU'] : [])] : [];
  return {
    resources,
    columns: {
      header,
      cells: (id) => {
        if (!header.length) return [];
        const r = resources.get(id);
        return [formatCpu(r), formatMem(r), ...(gpu ? [formatGpus(r)] : [])];
      },
    },
  };
}

/** The JSON fields `ls --json` adds to a running run. */
export async function liveJson(runs: readonly StoredRun[], config: ResolvedConfig): Promise<Map<string, { resources: RunResources; progress: Progress | null }>> {
  const { resources } = await measureRuns(runs);
  const out = new Map<string, { resources: RunResources; progress: Progress | null }>();
  for (const run of runs) {
    const r = resources.get(run.record.id);
    if (r) out.set(run.record.id, { resources: r, progress: await readProgress(run, config) });
  }
  return out;
}
