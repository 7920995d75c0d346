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

/** The user running rl-run; userInfo() throws for a uid without a passwd entry (some containers). */
export function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? '';
  }
}
