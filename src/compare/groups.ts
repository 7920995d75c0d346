import { formatParam, type Params } from './params.js';

/** Names a script's seed goes by; `--seed-key` adds another. */
export const SEED_KEYS: readonly string[] = ['seed', 'random-seed', 'random_seed'];

/** What grouping needs of a run: its id, parameters, and the sweep cell it ran, if any. */
export interface Groupable {
  id: string;
  params: Params;
  sweep?: { id: string; cell: Record<string, string | number> } | undefined;
}

export interface GroupingOptions {
  /** Extra seed key (--seed-key). */
  seedKey?: string;
  /** Group by these parameters only (--group-by). */
  groupBy?: readonly string[];
  /** The parameter whose values are tasks (--task-by): never part of a group's identity. */
  taskBy?: string;
}

export interface ReplicateGroup<R extends Groupable> {
  /** The values that set this group apart from the others (`lr=0.001`), never run ids. */
  label: string;
  /** The parameters the group's runs share (those of its identity). */
  params: Params;
  runs: R[];
}

/**
 * Replicate groups: runs whose parameters are equal except the seed (and the task) form one group,
 * in the order their first run comes. With `groupBy`, runs equal in those parameters only. Pure.
 */
export function groupRuns<R extends Groupable>(runs: readonly R[], options: GroupingOptions = {}): ReplicateGroup<R>[] {
  const ignored = new Set([...SEED_KEYS, ...(options.seedKey ? [options.seedKey] : []), ...sweepSeedKeys(runs), ...(options.taskBy ? [options.taskBy] : [])]);
  const identityKeys = (params: Params) => (options.groupBy ? [...options.groupBy] : Object.keys(params).filter((key) => !ignored.has(key)));
  const byKey = new Map<string, { params: Params; runs: R[] }>();
  for (const run of runs) {
    const keys = identityKeys(run.params);
    const params: Params = {};
    for (const key of keys) if (key in run.params) params[key] = run.params[key]!;
    const identity = JSON.stringify([...keys].sort().map((key) => [key, key in run.params ? formatParam(run.params[key]) : null]));
    const group = byKey.get(identity);
    if (group) group.runs.push(run);
    else byKey.set(identity, { params, runs: [run] });
  }
  const groups = [...byKey.values()];
  const labels = labelGroups(groups.map((group) => group.params), options.groupBy);
  return groups.map((group, i) => ({ label: labels[i]!, params: group.params, runs: group.runs }));
}

/**
 * A sweep's seed may be passed under any argument name (its seedKey): the parameters that equal the
 * cell's `seed` in every swept run that has them are that run's seed.
 */
export function sweepSeedKeys(runs: readonly Groupable[]): string[] {
  const swept = runs.filter((run) => run.sweep?.cell.seed !== undefined);
  if (swept.length === 0) return [];
  const candidates = new Set(swept.flatMap((run) => Object.keys(run.params).filter((key) => !(key in run.sweep!.cell) || key === 'seed')));
  return [...candidates].filter((key) =>
    swept.every((run) => !(key in run.params) || formatParam(run.params[key]) === String(run.sweep!.cell.seed)) && swept.some((run) => key in run.params),
  );
}

/**
 * `key=value` for each key whose value differs between groups (a missing key reads `key=-`), in the
 * order keys first appear; a single group is labelled by its name, or `all runs`.
 */
export function labelGroups(groups: readonly Params[], groupBy?: readonly string[]): string[] {
  const keys: string[] = [];
  for (const params of groups) for (const key of Object.keys(params)) if (!keys.includes(key)) keys.push(key);
  if (groupBy) keys.sort((a, b) => groupBy.indexOf(a) - groupBy.indexOf(b));
  const value = (params: Params, key: string) => (key in params ? formatParam(params[key]) : '-');
  const distinguishing = keys.filter((key) => new Set(groups.map((params) => value(params, key))).size > 1);
  const shown = distinguishing.length > 0 ? distinguishing : groupBy || groups.length > 1 ? [...keys] : [];
  const labels = groups.map((params) =>
    shown.length > 0 ? shown.map((key) => `${key}=${value(params, key)}`).join(' ') : params.name !== undefined ? `name=${formatParam(params.name)}` : 'all runs',
  );
  // Two groups can only look alike when a value prints like another's (1 and "1"): number them then.
  const seen = new Map<string, number>();
  return labels.map((label) => {
    const count = (seen.get(label) ?? 0) + 1;
    seen.set(label, count);
    return count === 1 ? label : `${label} (${count})`;
  });
}
