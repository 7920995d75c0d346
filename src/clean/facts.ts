import { lstatSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ID_PATTERN } from '../registry/id.js';
import { readRecordIn } from '../registry/run-dir/index.js';
import { heldDirDeleted, isAlive, runProcesses } from '../process/index.js';
import { type RunRecord, type RunState, isEnded } from '../registry/record.js';
import type { Registry } from '../registry/registry.js';
import { checkRemovable, diskUsage } from '../registry/safety.js';
import { sweepsDir } from '../registry/sweep-dir.js';
import { listUnfinishedDirs } from '../registry/unfinished-dir.js';
import { BACKENDS, observeStatus } from '../supervisor/index.js';
import type { OrphanFacts } from './orphans.js';
import { rlRunLogFiles } from '../supervisor/pm2/orphans.js';
import type { RetentionRun } from './retention.js';

/**
 * Gathers what the planners decide on. Reads only: the records as stored (`readRaw`, so a dry run
 * repairs nothing), /proc, pm2's list when a daemon is up, sizes on disk.
 */
type Observed = { record: RunRecord; state: RunState; reason?: string };

function observed(record: RunRecord): Observed {
  const now = observeStatus(record) ?? record.status;
  return { record, state: now.state, ...(now.state === 'lost' ? { reason: now.reason } : {}) };
}

/**
 * A run directory is gone only when it is ENOENT inside a runs directory that is itself there: a
 * runs filesystem that is unmounted or stale, a folder that cannot be read, or a record that cannot
 * be parsed says nothing about the run, and its processes must not be killed for it.
 */
function readRecordAt(dir: string): Observed | 'gone' | 'unreadable' {
  const read = readRecordIn(dir);
  if (read.ok) return observed(read.record);
  return read.gone && isDirectory(path.dirname(dir)) ? 'gone' : 'unreadable';
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

export function gatherRetentionRuns(registry: Registry): RetentionRun[] {
  const runs: RetentionRun[] = [];
  for (const row of registry.index()) {
    const raw = registry.readRaw(row.id);
    if (!raw.ok) continue;
    const { record } = raw.run;
    const status = observeStatus(record) ?? record.status;
    const endedAt = 'endedAt' in status ? status.endedAt : status.state === 'lost' ? status.detectedAt : undefined;
    const safe = checkRemovable(registry.runsDir, registry.runsDir, row.id);
    runs.push({
      id: row.id,
      recordId: record.id,
      name: record.name,
      tags: Array.isArray(record.tags) ? record.tags : [],
      state: status.state,
      ...(record.sweep ? { sweepId: record.sweep.id } : {}),
      ended: isEnded(status),
      createdAt: record.createdAt,
      ...(endedAt ? { endedAt } : {}),
      bytes: diskUsage(raw.run.layout.dir),
      ...(safe.ok ? {} : { unsafe: safe.reason }),
    });
  }
  return runs;
}

export async function gatherOrphanFacts(registry: Registry, now: Date = new Date()): Promise<OrphanFacts> {
  const { runsDir } = registry;
  const runs: OrphanFacts['runs'] = [];
  const damaged: OrphanFacts['damaged'] = [];
  for (const row of registry.index()) {
    const raw = registry.readRaw(row.id);
    if (raw.ok) {
      const seen = observed(raw.run.record);
      runs.push({ id: row.id, recorded: raw.run.record.status.state, observed: seen.state, ...(seen.reason ? { observedReason: seen.reason } : {}) });
      continue;
    }
    if (!ID_PATTERN.test(row.id)) continue;
    const dir = path.join(runsDir, row.id);
    const age = ageMs(dir, now);
    if (age === null) continue;
    // A copy of another run's directory (`cp -r X X.bak`) is the user's, not debris.
    const safe = raw.foreign ? { ok: false as const, reason: `${raw.reason}: rename it back or remove it yourself` } : checkRemovable(runsDir, runsDir, row.id);
    damaged.push({ id: row.id, reason: raw.reason, ageMs: age, bytes: diskUsage(dir), ...(safe.ok ? {} : { unsafe: safe.reason }) });
  }

  const stateOf = (runDir: string | null) => {
    const found = runDir ? readRecordAt(runDir) : 'unreadable';
    return typeof found === 'string' ? found : found.state;
  };
  const pm2: OrphanFacts['pm2'] = (await pm2Entries())?.map((entry) => ({ ...entry, runState: stateOf(entry.runDir) })) ?? null;
  const backends: OrphanFacts['backends'] = [];
  for (const backend of Object.values(BACKENDS)) {
    if (backend.name === 'pm2') continue; // planned apart: its online entries and its log files (./orphans.ts)
    const entries = await backend.listOrphans();
    if (entries) backends.push({ backend: backend.name, entries: entries.map((entry) => ({ ...entry, runState: stateOf(entry.runDir) })) });
  }

  const processes: OrphanFacts['processes'] = runProcesses(RUNNER_SCRIPT).map((proc) => {
    const found = proc.runDir ? readRecordAt(proc.runDir) : 'unreadable';
    const record = typeof found === 'string' ? null : found.record;
    return {
      ...proc,
      runState: typeof found === 'string' ? found : found.state,
      runnerAlive: Boolean(record?.runner && isAlive(record.runner)),
    };
  });
  // A live runner of a run whose folder cannot be read (moved away, say) still owns its processes;
  // one whose folder was deleted (`rm -rf runs/X`) owns nothing worth keeping: all of it goes.
  const runners = new Set(processes.filter((proc) => proc.isRunner && !heldDirDeleted(proc.pid, proc.runId)).map((proc) => proc.runId));
  for (const proc of processes) if (runners.has(proc.runId)) proc.runnerAlive = true;

  return { runsDir, runs, damaged, unfinished: unfinishedDirs(runsDir, now), pm2, backends, pm2Logs: rlRunLogFiles(), processes };
}

/** Time since anything in the directory last changed; null when it is not a directory. */
function ageMs(dir: string, now: Date): number | null {
  try {
    const stat = statSync(dir);
    if (!stat.isDirectory()) return null;
    let newest = stat.mtimeMs;
    for (const name of readdirSync(dir)) {
      try {
        newest = Math.max(newest, statSync(path.join(dir, name)).mtimeMs);
      } catch {
        // gone meanwhile
      }
    }
    return now.getTime() - newest;
  } catch {
    return null;
  }
}

/** dist/clean/facts.js → dist/runner/main.js, which pm2 names in the runner's environment as pm_exec_path. */
const RUNNER_SCRIPT = fileURLToPath(new URL('../runner/main.js', import.meta.url));

/** pm2's entries in the rl-run namespace, asked through the backend table; null when no pm2 daemon is up. */
export async function pm2Entries(): Promise<{ name: string; online: boolean; runDir: string | null }[] | null> {
  const entries = await BACKENDS.pm2.listOrphans();
  return entries?.map((entry) => ({ name: entry.handle, online: entry.live, runDir: entry.runDir })) ?? null;
}

/** Hidden leftovers of starts cut short, in the runs directory and in its sweeps' folder (when that is a real directory). */
function unfinishedDirs(runsDir: string, now: Date): OrphanFacts['unfinished'] {
  const parents = [runsDir];
  try {
    if (lstatSync(sweepsDir(runsDir)).isDirectory()) parents.push(sweepsDir(runsDir));
  } catch {
    // no sweeps yet
  }
  // Aged like a damaged run directory: by the newest change in it, so a start still writing its record is young.
  return parents.flatMap((parent) =>
    listUnfinishedDirs(parent).flatMap((dir) => {
      const age = ageMs(dir, now);
      return age === null ? [] : [{ dir, ageMs: age, bytes: diskUsage(dir) }];
    }),
  );
}
