import type { Backend } from '../registry/record.js';
/**
 * A clean is decided before anything is touched: the planners in this folder turn plain facts into
 * a plan, `--dry-run` prints it, and the executor carries it out. Every action says why.
 */
export type CleanAction =
  /** Move a run directory (or a damaged one) into the trash. */
  | { kind: 'trash'; id: string; reason: string; bytes: number }
  /** Remove a trash entry for good. */
  | { kind: 'purge'; id: string; reason: string; bytes: number }
  /** Remove an entry from pm2's process list. */
  | { kind: 'pm2-delete'; pm2Name: string; reason: string }
  /** Remove a backend's entry left behind by a run (a SLURM job), through the backend table. */
  | { kind: 'remove-orphan'; backend: Backend; handle: string; runId: string; reason: string }
  /** Remove a log file pm2 left in $PM2_HOME/logs. */
  | { kind: 'remove-log'; file: string; reason: string; bytes: number }
  /** SIGTERM, then SIGKILL after the grace period, to a process left behind by a run. */
  | { kind: 'kill'; pid: number; startTime?: number; runId: string; reason: string }
  /** Remove the hidden directory of a start cut short before its record (registry/unfinished-dir.ts). */
  | { kind: 'remove-unfinished'; dir: string; reason: string; bytes: number }
  /** Repair a record: it says running, nothing runs. The record and logs stay. */
  | { kind: 'mark-lost'; id: string; reason: string };

/** Something a plan would have touched but will not, with the reason. */
export interface Refusal {
  target: string;
  reason: string;
}

/** A run that matched the filters and is kept anyway (running, or among the newest of its name). */
export interface Kept {
  id: string;
  reason: string;
}

export interface CleanPlan {
  actions: CleanAction[];
  refused: Refusal[];
  kept: Kept[];
}

export function emptyPlan(): CleanPlan {
  return { actions: [], refused: [], kept: [] };
}

/** One plan from several; an action two plans both chose (a pm2 entry, say) is kept once. */
export function mergePlans(...plans: CleanPlan[]): CleanPlan {
  const seen = new Set<string>();
  return {
    actions: plans.flatMap((p) => p.actions).filter((action) => {
      const key = `${action.kind} ${actionTarget(action)}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    }),
    refused: plans.flatMap((p) => p.refused),
    kept: plans.flatMap((p) => p.kept),
  };
}

export function bytesFreed(plan: CleanPlan): number {
  return plan.actions.reduce((sum, action) => sum + ('bytes' in action ? action.bytes : 0), 0);
}

/** What an action acts on, for the plan's first column. */
export function actionTarget(action: CleanAction): string {
  switch (action.kind) {
    case 'trash':
    case 'purge':
    case 'mark-lost':
      return action.id;
    case 'pm2-delete':
      return action.pm2Name;
    case 'remove-orphan':
      return `${action.handle} (${action.runId})`;
    case 'remove-log':
      return action.file;
    case 'remove-unfinished':
      return action.dir;
    case 'kill':
      return `pid ${action.pid} (${action.runId})`;
  }
}
