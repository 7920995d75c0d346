import { formatDuration } from '../format/time.js';
import type { RunState } from '../registry/record.js';
import { checkEntryName } from '../registry/safety.js';
import { type CleanPlan, emptyPlan } from './plan.js';
import { formatBytes } from '../format/numbers.js';
import { matchesRunFilter } from '../registry/run-filter.js';

/** A run as retention sees it: its status already brought up to date. */
export interface RetentionRun {
  /** The directory name. */
  id: string;
  /** The id the record itself gives; differs from `id` when a record points elsewhere. */
  recordId: string;
  name: string;
  tags: string[];
  state: RunState;
  /** The sweep the run is a cell of. */
  sweepId?: string;
  ended: boolean;
  createdAt: string;
  /** When it ended (or was found lost); absent while it runs. */
  endedAt?: string;
  bytes: number;
  /** Set when the directory does not resolve inside runsDir (a symlink leading out, …). */
  unsafe?: string;
}

export interface RetentionOptions {
  statuses: RunState[];
  olderThanMs?: number;
  keepLast?: number;
  name?: string;
  tags: string[];
  largerThanBytes?: number;
  /** A sweep's full id: only its runs. */
  sweep?: string;
}

export function hasRetentionCriteria(options: RetentionOptions): boolean {
  return (
    options.statuses.length > 0 ||
    options.olderThanMs !== undefined ||
    options.keepLast !== undefined ||
    options.name !== undefined ||
    options.tags.length > 0 ||
    options.sweep !== undefined ||
    options.largerThanBytes !== undefined
  );
}

/**
 * Which runs go to the trash. A run goes when it matches every criterion given; `--keep-last N`
 * protects the N newest runs of each name (counting every run of that name, whatever its status),
 * so `--older-than 14d --keep-last 3` never leaves a name with fewer than three runs. A run that has
 * not ended is never deleted. Age counts from the end of a run.
 */
export function planRetention(runs: readonly RetentionRun[], options: RetentionOptions, now: Date): CleanPlan {
  const plan = emptyPlan();
  const protectedIds = newestPerName(runs, options.keepLast ?? 0);
  for (const run of runs) {
    const reasons = matchReasons(run, options, now);
    if (!reasons) continue;
    if (!run.ended) {
      plan.kept.push({ id: run.id, reason: `${run.state}: a run that has not ended is never deleted` });
      continue;
    }
    if (protectedIds.has(run.id)) {
      plan.kept.push({ id: run.id, reason: `one of the ${options.keepLast} newest runs named ${run.name} (--keep-last counts per run name)` });
      continue;
    }
    const refusal = refusalFor(run);
    if (refusal) {
      plan.refused.push({ target: run.id, reason: refusal });
      continue;
    }
    plan.actions.push({ kind: 'trash', id: run.id, reason: reasons.join(', '), bytes: run.bytes });
  }
  return plan;
}

/** Why a run matches every given criterion, or null when one does not hold. */
function matchReasons(run: RetentionRun, options: RetentionOptions, now: Date): string[] | null {
  if (!matchesRunFilter(run, options)) return null;
  const reasons: string[] = [];
  if (options.statuses.length) reasons.push(run.state);
  if (options.name !== undefined) reasons.push(`name ${run.name}`);
  if (options.tags.length) reasons.push(`tagged ${options.tags.join(',')}`);
  if (options.sweep !== undefined) reasons.push(`of sweep ${options.sweep}`);
  if (options.olderThanMs !== undefined) {
    const since = now.getTime() - Date.parse(run.endedAt ?? run.createdAt);
    if (!(since > options.olderThanMs)) return null;
    reasons.push(`${run.endedAt ? 'ended' : 'started'} ${formatDuration(since)} ago`);
  }
  if (options.largerThanBytes !== undefined) {
    if (!(run.bytes > options.largerThanBytes)) return null;
    reasons.push(`larger than ${formatBytes(options.largerThanBytes)}`);
  }
  if (options.keepLast !== undefined) reasons.push(`beyond the ${options.keepLast} newest runs named ${run.name}`);
  return reasons;
}

function newestPerName(runs: readonly RetentionRun[], keep: number): Set<string> {
  const byName = new Map<string, RetentionRun[]>();
  for (const run of runs) byName.set(run.name, [...(byName.get(run.name) ?? []), run]);
  const kept = new Set<string>();
  for (const group of byName.values()) {
    group.sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1));
    for (const run of group.slice(0, keep)) kept.add(run.id);
  }
  return kept;
}

function refusalFor(run: RetentionRun): string | null {
  const named = checkEntryName(run.id);
  if (!named.ok) return named.reason;
  if (run.recordId !== run.id) return `its run.json names another run ('${run.recordId}'): a record pointing elsewhere is left alone`;
  return run.unsafe ?? null;
}
