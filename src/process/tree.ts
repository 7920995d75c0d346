import path from 'node:path';
import { type ProcessRef, isAlive, isSameProcess } from './identity.js';
import { listPids, openFileTargets, readCmdline, readEnviron, readStat } from './proc.js';

/**
 * Finds the processes that belong to a run: every process whose environment holds the entry
 * `RL_RUN_ID=<id>` (environment workers inherit it, even when they left the process group), plus
 * the descendants of the script, walked only from `root` when it is still the very process it was
 * (pid and start time). A pm2 daemon is never one of them, nor is anything below it (a daemon
 * spawned from inside a run holds other runs), nor a descendant that carries another run's id. Each ref carries the start time seen here, so a
 * signal sent later reaches only that process. Linux /proc only; elsewhere, just a live root.
 */
export function findRunProcesses(runId: string, root?: ProcessRef): ProcessRef[] {
  const table = snapshot();
  if (!table) return root && isSameProcess(root) ? [root] : [];
  return membersIn(table, runId, root);
}

/**
 * findRunProcesses for several runs from one reading of /proc (`ls` and `top` look at every
 * running run at once; a reading per run cost a full /proc walk each).
 */
export function findProcessesOfRuns(runs: readonly { runId: string; root?: ProcessRef }[]): Map<string, ProcessRef[]> {
  const table = runs.length ? snapshot() : null;
  const found = new Map<string, ProcessRef[]>();
  for (const { runId, root } of runs) {
    found.set(runId, table ? membersIn(table, runId, root) : root && isSameProcess(root) ? [root] : []);
  }
  return found;
}

function membersIn(table: Map<number, ProcEntry>, runId: string, root?: ProcessRef): ProcessRef[] {
  const found = new Map<number, ProcessRef>();
  const add = (pid: number, entry: ProcEntry) => found.set(pid, { pid, startTime: entry.startTime });
  for (const [pid, entry] of table) {
    if (entry.environ && hasEnvEntry(entry.environ, 'RL_RUN_ID', runId) && !isPm2DaemonProcess(pid, entry.environ)) add(pid, entry);
  }
  const rootEntry = root ? table.get(root.pid) : undefined;
  if (root && rootEntry && root.startTime !== undefined && rootEntry.startTime === root.startTime) {
    const children = new Map<number, number[]>();
    for (const [pid, entry] of table) children.set(entry.ppid, [...(children.get(entry.ppid) ?? []), pid]);
    const queue = [root.pid];
    const seen = new Set(queue);
    while (queue.length) {
      const pid = queue.pop()!;
      const entry = table.get(pid)!;
      if (pid !== root.pid && (isPm2DaemonProcess(pid, entry.environ) || belongsToAnotherRun(entry.environ, runId))) continue;
      add(pid, entry);
      for (const child of children.get(pid) ?? []) {
        if (!seen.has(child) && table.has(child)) {
          seen.add(child);
          queue.push(child);
        }
      }
    }
  }
  found.delete(process.pid);
  return [...found.values()];
}

/** The variables that make a process one of a run's (RL_RUN_ID decides membership). */
export const RUN_IDENTITY_VARIABLES = ['RL_RUN_ID', 'RL_RUN_DIR', 'RL_RUN_NAME'] as const;

/**
 * The environment for anything rl-run spawns that is not a run's own script (the pm2 daemon, git,
 * sbatch): started from inside a run (a sweep driver calling `rl-run start`), it would otherwise
 * carry that run's id and be ended with it.
 */
export function withoutRunIdentity<T extends Record<string, string | undefined>>(env: T): T {
  const out = { ...env };
  for (const key of RUN_IDENTITY_VARIABLES) delete out[key];
  return out;
}

/** Pure: whether a NUL-separated environment (as in /proc/PID/environ) holds exactly `name=value`. */
export function hasEnvEntry(environ: string, name: string, value: string): boolean {
  const entry = `${name}=${value}`;
  for (let at = environ.indexOf(entry); at !== -1; at = environ.indexOf(entry, at + 1)) {
    const end = at + entry.length;
    if ((at === 0 || environ[at - 1] === '\0') && (end === environ.length || environ[end] === '\0')) return true;
  }
  return false;
}

/** Pure: the value of the first `name=` entry of a NUL-separated environment, or null when it has none. */
export function envValue(environ: string, name: string): string | null {
  const entry = environ.split('\0').find((e) => e.startsWith(`${name}=`));
  return entry === undefined ? null : entry.slice(name.length + 1);
}

/** A process that carries another run's id is that run's, even when it descends from this script. */
function belongsToAnotherRun(environ: string | null, runId: string): boolean {
  if (!environ || hasEnvEntry(environ, 'RL_RUN_ID', runId)) return false;
  return environ.startsWith('RL_RUN_ID=') || environ.includes('\0RL_RUN_ID=');
}

/** The title pm2 gives its daemon (lib/Daemon.js), or the one PM2_DAEMON_TITLE asked for. */
const DAEMON_TITLE = /^PM2 v[^:\s]*: God Daemon \(/;

/** Pure: whether a process with this command line and environment is a pm2 daemon. */
export function looksLikePm2Daemon(cmdline: string, environ: string | null): boolean {
  const title = cmdline.replaceAll('\0', ' ');
  if (DAEMON_TITLE.test(title)) return true;
  const custom = environ === null ? null : envValue(environ, 'PM2_DAEMON_TITLE');
  return Boolean(custom) && title.startsWith(custom!);
}

/** A pm2 daemon is never a run's process, even when it carries a run's id (started by hand inside a run). */
export function isPm2DaemonProcess(pid: number, environ: string | null): boolean {
  return looksLikePm2Daemon(readCmdline(pid), environ);
}

interface ProcEntry {
  ppid: number;
  startTime: number;
  /** Null when it cannot be read (another user's process). */
  environ: string | null;
}

/** Every process /proc shows, read once; null where there is no /proc. */
function snapshot(): Map<number, ProcEntry> | null {
  const pids = listPids();
  if (!pids) return null;
  const table = new Map<number, ProcEntry>();
  for (const pid of pids) {
    const stat = readStat(pid);
    if (stat) table.set(pid, { ppid: stat.ppid, startTime: stat.startTime, environ: readEnviron(pid) });
  }
  return table;
}

export interface RunProcess {
  pid: number;
  startTime?: number;
  runId: string;
  runDir: string | null;
  isRunner: boolean;
}

/**
 * Every live process whose environment carries RL_RUN_ID, with the RL_RUN_DIR it was given and
 * whether it is our runner (pm2 names `runnerScript` in its environment as pm_exec_path and titles
 * it `node <runner script>`). Neither rl-run itself nor its parent is listed.
 */
export function runProcesses(runnerScript: string): RunProcess[] {
  const mine = new Set([process.pid, process.ppid]);
  const found: RunProcess[] = [];
  for (const pid of listPids() ?? []) {
    if (mine.has(pid)) continue;
    const environ = readEnviron(pid);
    if (environ === null) continue;
    const vars = environ.split('\0');
    const runId = vars.find((v) => v.startsWith('RL_RUN_ID='))?.slice('RL_RUN_ID='.length);
    if (!runId || isPm2DaemonProcess(pid, environ)) continue;
    if (!isAlive({ pid })) continue;
    const runDir = vars.find((v) => v.startsWith('RL_RUN_DIR='))?.slice('RL_RUN_DIR='.length) ?? null;
    const startTime = readStat(pid)?.startTime;
    const isRunner = vars.includes(`pm_exec_path=${runnerScript}`) && readCmdline(pid, 'utf8').slice(0, 4096).includes(runnerScript);
    found.push({ pid, runId, runDir, isRunner, ...(startTime !== undefined ? { startTime } : {}) });
  }
  return found;
}

/**
 * Whether the directory named `name` that the process holds open (the runner holds its run
 * directory) was deleted rather than moved: /proc names a deleted directory `<path> (deleted)`.
 * False when it cannot be told.
 */
export function heldDirDeleted(pid: number, name: string): boolean {
  for (const target of openFileTargets(pid)) {
    const deleted = target.endsWith(' (deleted)');
    if (path.basename(deleted ? target.slice(0, -' (deleted)'.length) : target) === name) return deleted;
  }
  return false;
}
