import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ID_PATTERN } from '../registry/id.js';
import { layoutOfDir } from '../registry/layout.js';
import { parseRecord } from '../registry/parse.js';
import { isAlive, processStartTime } from '../registry/process.js';
import { type RunRecord, type RunState, isEnded } from '../registry/record.js';
import type { Registry } from '../registry/registry.js';
import { checkRemovable, diskUsage } from '../registry/safety.js';
import { observeStatus } from '../supervisor/observe.js';
import { isPm2DaemonProcess } from '../supervisor/process-tree.js';
import type { OrphanFacts } from './orphans.js';
import { listRlRunEntries, pm2DaemonRunning, rlRunLogFiles } from './pm2.js';
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

function readRecordAt(dir: string): Observed | 'gone' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(layoutOfDir(dir).record, 'utf8');
  } catch {
    try {
      statSync(dir);
      return 'unreadable';
    } catch {
      return 'gone';
    }
  }
  const parsed = parseRecord(text);
  return parsed.ok ? observed(parsed.record) : 'unreadable';
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
    const safe = checkRemovable(runsDir, runsDir, row.id);
    damaged.push({ id: row.id, reason: raw.reason, ageMs: age, bytes: diskUsage(dir), ...(safe.ok ? {} : { unsafe: safe.reason }) });
  }

  let pm2: OrphanFacts['pm2'] = null;
  if (pm2DaemonRunning()) {
    pm2 = (await listRlRunEntries()).map((entry) => {
      const found = entry.runDir ? readRecordAt(entry.runDir) : 'unreadable';
      return { ...entry, runState: typeof found === 'string' ? found : found.state };
    });
  }

  const processes: OrphanFacts['processes'] = runProcesses().map((proc) => {
    const found = proc.runDir ? readRecordAt(proc.runDir) : 'unreadable';
    const record = typeof found === 'string' ? null : found.record;
    return {
      ...proc,
      runState: typeof found === 'string' ? found : found.state,
      runnerAlive: Boolean(record?.runner && isAlive(record.runner)),
    };
  });

  return { runsDir, runs, damaged, pm2, pm2Logs: rlRunLogFiles(), processes };
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

/** Every live process whose environment carries RL_RUN_ID, with the RL_RUN_DIR it was given. */
export function runProcesses(): { pid: number; startTime?: number; runId: string; runDir: string | null }[] {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const mine = new Set([process.pid, process.ppid]);
  const found: { pid: number; startTime?: number; runId: string; runDir: string | null }[] = [];
  for (const name of pids) {
    const pid = Number(name);
    if (mine.has(pid)) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      continue;
    }
    const vars = environ.split('\0');
    const runId = vars.find((v) => v.startsWith('RL_RUN_ID='))?.slice('RL_RUN_ID='.length);
    if (!runId || isPm2DaemonProcess(pid, environ)) continue;
    if (!isAlive({ pid })) continue;
    const runDir = vars.find((v) => v.startsWith('RL_RUN_DIR='))?.slice('RL_RUN_DIR='.length) ?? null;
    const startTime = processStartTime(pid);
    found.push({ pid, runId, runDir, ...(startTime !== undefined ? { startTime } : {}) });
  }
  return found;
}
