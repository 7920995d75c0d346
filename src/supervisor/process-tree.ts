import { readdirSync, readFileSync } from 'node:fs';
import { isSameProcess, isZombie, signalVerified } from '../registry/process.js';
import type { ProcessRef } from '../registry/record.js';

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
  const custom = environ?.split('\0').find((entry) => entry.startsWith('PM2_DAEMON_TITLE='))?.slice('PM2_DAEMON_TITLE='.length);
  return Boolean(custom) && title.startsWith(custom!);
}

/** A pm2 daemon is never a run's process, even when it carries a run's id (started by hand inside a run). */
export function isPm2DaemonProcess(pid: number, environ: string | null): boolean {
  try {
    return looksLikePm2Daemon(readFileSync(`/proc/${pid}/cmdline`, 'latin1'), environ);
  } catch {
    return false;
  }
}

interface ProcEntry {
  ppid: number;
  startTime: number;
  /** Null when it cannot be read (another user's process). */
  environ: string | null;
}

/** Every process /proc shows, read once; null where there is no /proc. */
function snapshot(): Map<number, ProcEntry> | null {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return null;
  }
  const table = new Map<number, ProcEntry>();
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      const startTime = Number(fields[19]);
      if (!Number.isFinite(ppid) || !Number.isFinite(startTime)) continue;
      table.set(pid, { ppid, startTime, environ: readEnviron(pid) });
    } catch {
      // ended meanwhile
    }
  }
  return table;
}

function readEnviron(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return null;
  }
}

/** Verified signals to each ref (see signalVerified); the refs of processes that are gone are skipped. */
export function signalAll(refs: readonly ProcessRef[], signal: NodeJS.Signals): number {
  return signalVerified(refs, signal);
}

/** The refs whose processes are still the same and still running (a zombie has ended). */
export function stillRunning(refs: readonly ProcessRef[]): ProcessRef[] {
  return refs.filter((ref) => isSameProcess(ref) && !isZombie(ref.pid));
}

const POLL_MS = 50;
const AFTER_KILL_MS = 5_000;

/**
 * SIGTERM, up to `graceMs` for them to go, then SIGKILL to what is left, every signal verified.
 * Returns the refs still running at the end (none, unless a process is stuck in the kernel).
 */
export async function terminate(refs: readonly ProcessRef[], graceMs: number): Promise<ProcessRef[]> {
  if (signalAll(stillRunning(refs), 'SIGTERM') === 0) return stillRunning(refs);
  await pollUntil(() => stillRunning(refs).length === 0, graceMs);
  if (signalAll(stillRunning(refs), 'SIGKILL') === 0) return [];
  await pollUntil(() => stillRunning(refs).length === 0, AFTER_KILL_MS);
  return stillRunning(refs);
}

/** Polls `condition` every `intervalMs` until it holds (true) or `timeoutMs` has passed (false). */
export async function pollUntil(condition: () => boolean, timeoutMs: number, intervalMs = POLL_MS): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (condition()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(1, deadline - Date.now()))));
  }
}
