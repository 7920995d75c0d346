import type { RunState } from './record.js';
import type { StoredRun } from './registry.js';
import type { IndexEntry } from './selector.js';

/** The one run filter of `ls`, `compare`, `stop` and `clean`: --status (any of), --name, --tag (all of), --sweep. */
export interface RunFilter {
  statuses?: readonly RunState[];
  name?: string;
  tags: readonly string[];
  /** A sweep's full id: only its runs. */
  sweep?: string;
}

/** Pure: whether a run with this name, these tags and this state passes the filter. */
export function matchesRunFilter(run: { name: string; tags: readonly string[]; state: RunState; sweepId?: string | undefined }, filter: RunFilter): boolean {
  if (filter.statuses?.length && !filter.statuses.includes(run.state)) return false;
  if (filter.name !== undefined && run.name !== filter.name) return false;
  if (filter.sweep !== undefined && run.sweepId !== filter.sweep) return false;
  return filter.tags.every((tag) => run.tags.includes(tag));
}

/**
 * The filter as `Registry.list` takes it: a --name is first matched against directory names alone,
 * so that only that name's records are read.
 */
export function listFilter(filter: RunFilter, also: (run: StoredRun) => boolean = () => true): { prefilter?: (entry: IndexEntry) => boolean; filter: (run: StoredRun) => boolean } {
  return {
    ...(filter.name !== undefined ? { prefilter: (entry: IndexEntry) => entry.name === filter.name } : {}),
    filter: (run) => also(run) && matchesRunFilter({ name: run.record.name, tags: run.record.tags, state: run.record.status.state, sweepId: run.record.sweep?.id }, filter),
  };
}
