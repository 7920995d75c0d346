import path from 'node:path';
import type { Backend, RunState } from '../registry/record.js';
import { START_GRACE_MS } from '../registry/registry.js';
import { pm2NameFor } from '../supervisor/pm2/names.js';
import type { OrphanCandidate } from '../supervisor/types.js';
import { type CleanPlan, emptyPlan } from './plan.js';

export interface Pm2Fact {
  name: string;
  online: boolean;
  runDir: string | null;
  runState: RunState | 'gone' | 'unreadable';
}

/** What `clean --orphaned` looked at, gathered by ./facts.ts; plain data so the decisions can be tested alone. */
export interface OrphanFacts {
  runsDir: string;
  /** Readable records, with the status as recorded and as observed now. */
  runs: { id: string; recorded: RunState; observed: RunState; observedReason?: string }[];
  /** Run directories (names shaped like ids) without a readable run.json. */
  damaged: { id: string; reason: string; ageMs: number; bytes: number; unsafe?: string }[];
  /** Hidden directories of starts (runs, sweeps) that never got their record in (registry/unfinished-dir.ts). */
  unfinished?: { dir: string; ageMs: number; bytes: number }[];
  /** Entries of pm2's list in the rl-run namespace; null when no pm2 daemon is running. */
  pm2: Pm2Fact[] | null;
  /** The entries of every other backend of the table (SLURM's jobs), where it could be asked. */
  backends: { backend: Backend; entries: (OrphanCandidate & { runState: RunState | 'gone' | 'unreadable' })[] }[];
  /** rl-run log files in $PM2_HOME/logs, with the pm2 name each belongs to. */
  pm2Logs: { file: string; pm2Name: string; bytes: number }[];
  /** Live processes carrying RL_RUN_ID. */
  processes: {
    pid: number;
    startTime?: number;
    runId: string;
    runDir: string | null;
    runState: RunState | 'gone' | 'unreadable';
    /** The run's runner is alive: found by the record, or among these processes. */
    runnerAlive: boolean;
    /** This process is an rl-run runner. */
    isRunner?: boolean;
  }[];
}

const ENDED: readonly string[] = ['succeeded', 'failed', 'stopped', 'lost'];

/** The five kinds of debris, each with its reason; see issue 4. */
export function planOrphans(facts: OrphanFacts): CleanPlan {
  const plan = emptyPlan();

  // 5. Records that say running (or starting) with nothing running: repaired, never deleted.
  for (const run of facts.runs) {
    if ((run.recorded === 'running' || run.recorded === 'starting') && run.observed === 'lost') {
      plan.actions.push({ kind: 'mark-lost', id: run.id, reason: `says ${run.recorded}; ${run.observedReason ?? 'its process is gone'}` });
    }
  }

  // 4. Processes of runs that are over. A live runner still tidies its own leftovers: not ours to race.
  for (const proc of facts.processes) {
    if (!proc.runDir || path.dirname(proc.runDir) !== facts.runsDir) continue;
    if (proc.runnerAlive) continue;
    const why =
      proc.runState === 'gone' ? 'its run directory is gone' : ENDED.includes(proc.runState) ? `its run is ${proc.runState}` : null;
    if (why) plan.actions.push({ kind: 'kill', pid: proc.pid, ...(proc.startTime !== undefined ? { startTime: proc.startTime } : {}), runId: proc.runId, reason: `still running, ${why}` });
  }

  // 1. pm2 entries whose run ended or vanished. An online entry is left to finish, unless its
  // directory is gone and its processes are ended above (the executor kills before it deletes):
  // left in place it was only deleted by a second `clean --orphaned`.
  const ending = new Set(plan.actions.flatMap((a) => (a.kind === 'kill' ? [pm2NameFor(a.runId)] : [])));
  const listed = new Set<string>();
  for (const entry of facts.pm2 ?? []) {
    listed.add(entry.name);
    if (entry.runDir && path.dirname(entry.runDir) !== facts.runsDir) continue;
    if (entry.online) {
      if (entry.runState === 'gone' && ending.has(entry.name)) {
        plan.actions.push({ kind: 'pm2-delete', pm2Name: entry.name, reason: 'its run directory is gone (its processes are ended first)' });
      }
      continue;
    }
    const why = entry.runState === 'gone' ? 'its run directory is gone' : ENDED.includes(entry.runState) ? `its run is ${entry.runState}` : null;
    if (why) plan.actions.push({ kind: 'pm2-delete', pm2Name: entry.name, reason: why });
  }

  // 1b. Other backends' entries (SLURM jobs named rlrun-*) of runs of this runs directory that
  // ended or whose directory is gone: a job that outlived its run only holds the allocation.
  for (const { backend, entries } of facts.backends) {
    for (const entry of entries) {
      if (!entry.runDir || path.dirname(entry.runDir) !== facts.runsDir) continue;
      const why = entry.runState === 'gone' ? 'its run directory is gone' : ENDED.includes(entry.runState) ? `its run is ${entry.runState}` : null;
      if (why) plan.actions.push({ kind: 'remove-orphan', backend, handle: entry.handle, runId: entry.runId, reason: why });
    }
  }

  // 2. Log files of names pm2 no longer lists (with no daemon, it lists none).
  for (const log of facts.pm2Logs) {
    if (listed.has(log.pm2Name)) continue;
    plan.actions.push({ kind: 'remove-log', file: log.file, reason: `pm2 no longer lists ${log.pm2Name}`, bytes: log.bytes });
  }

  // 3. Directories without a readable record, once no start can still be writing them.
  for (const dir of facts.damaged) {
    if (dir.ageMs < START_GRACE_MS) continue;
    if (dir.unsafe) {
      plan.refused.push({ target: dir.id, reason: dir.unsafe });
      continue;
    }
    plan.actions.push({ kind: 'trash', id: dir.id, reason: `damaged: ${dir.reason}`, bytes: dir.bytes });
  }

  // 4. What a start cut short left under its hidden name: no record, nothing to restore.
  for (const dir of facts.unfinished ?? []) {
    if (dir.ageMs < START_GRACE_MS) continue;
    plan.actions.push({ kind: 'remove-unfinished', dir: dir.dir, reason: 'a start cut short before its record was written', bytes: dir.bytes });
  }
  return withPm2EntriesOfTrashed(plan, facts.pm2 ?? [], facts.runsDir);
}

/** A run directory that goes to the trash takes its pm2 entry with it, so no second clean is needed. */
export function withPm2EntriesOfTrashed(plan: CleanPlan, entries: readonly Pick<Pm2Fact, 'name' | 'online' | 'runDir'>[], runsDir: string): CleanPlan {
  const deleting = new Set(plan.actions.flatMap((a) => (a.kind === 'pm2-delete' ? [a.pm2Name] : [])));
  const trashed = new Set(plan.actions.flatMap((a) => (a.kind === 'trash' ? [path.join(runsDir, a.id)] : [])));
  const extra = entries
    .filter((e) => !e.online && e.runDir && trashed.has(e.runDir) && !deleting.has(e.name))
    .map((e) => ({ kind: 'pm2-delete' as const, pm2Name: e.name, reason: 'its run directory goes to the trash' }));
  return { ...plan, actions: [...plan.actions, ...extra] };
}
