import { type CleanPlan, emptyPlan } from './plan.js';

export interface TrashedRun {
  id: string;
  deletedAt: string;
  bytes: number;
}

/** Which trash entries `clean --purge` removes for good: all, or those deleted more than `olderThanMs` ago. */
export function planPurge(entries: readonly TrashedRun[], olderThanMs: number | undefined, now: Date): CleanPlan {
  const plan = emptyPlan();
  for (const entry of entries) {
    const age = now.getTime() - Date.parse(entry.deletedAt);
    if (olderThanMs !== undefined && !(age > olderThanMs)) continue;
    plan.actions.push({ kind: 'purge', id: entry.id, reason: `in the trash since ${entry.deletedAt}`, bytes: entry.bytes });
  }
  return plan;
}
