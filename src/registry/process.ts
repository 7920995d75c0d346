import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { ProcessRef } from './record.js';

/** The process's start time in clock ticks since boot (field 22 of /proc/PID/stat), where /proc exists. */
export function processStartTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const value = Number(fields[19]);
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function processRef(pid: number): ProcessRef {
  const startTime = processStartTime(pid);
  return startTime === undefined ? { pid } : { pid, startTime };
}

/** True while the very process the ref was taken of is alive (a reused pid does not count). */
export function isAlive(ref: ProcessRef | undefined): boolean {
  if (!ref) return false;
  try {
    process.kill(ref.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (ref.startTime === undefined) return true;
  const now = processStartTime(ref.pid);
  // A zombie still answers kill(0); its stat says state Z. Treat a gone /proc entry as dead.
  return now === ref.startTime && !isZombie(ref.pid);
}

/** An ended process its parent has not reaped yet: it still answers kill(0) but runs nothing. */
export function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

/** Whether this system has /proc: where it has, a process's identity is its pid and its start time. */
const HAS_PROC = (() => {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
})();

/**
 * True when the ref's pid is, at this instant, still the process the ref was taken of. A ref
 * without a start time cannot be told from a reused pid where /proc exists: it never matches there.
 */
export function isSameProcess(ref: ProcessRef): boolean {
  if (!Number.isInteger(ref.pid) || ref.pid <= 0) return false;
  if (!HAS_PROC) return true;
  return ref.startTime !== undefined && processStartTime(ref.pid) === ref.startTime;
}

/**
 * The only way rl-run signals a process: each ref's identity (pid + start time) is checked right
 * before its signal, so a pid reused since the ref was taken is never signalled. Never a process
 * group, never rl-run itself. Returns how many were signalled.
 */
export function signalVerified(refs: readonly ProcessRef[], signal: NodeJS.Signals): number {
  let sent = 0;
  for (const ref of refs) {
    if (ref.pid === process.pid || !isSameProcess(ref)) continue;
    try {
      process.kill(ref.pid, signal);
      sent++;
    } catch {
      // ended meanwhile
    }
  }
  return sent;
}

/** The user running rl-run; userInfo() throws for a uid without a passwd entry (some containers). */
export function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? '';
  }
}
