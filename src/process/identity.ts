import { HAS_PROC, readStat } from './proc.js';
import type { ProcessRef } from './ref.js';

export type { ProcessRef };

/** The process's start time in clock ticks since boot (field 22 of /proc/PID/stat), where /proc exists. */
export function processStartTime(pid: number): number | undefined {
  return readStat(pid)?.startTime;
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
  return readStat(pid)?.state === 'Z';
}

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

/** The refs whose processes are still the same and still running (a zombie has ended). */
export function stillRunning(refs: readonly ProcessRef[]): ProcessRef[] {
  return refs.filter((ref) => isSameProcess(ref) && !isZombie(ref.pid));
}
