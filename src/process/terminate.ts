import type { ChildProcess } from 'node:child_process';
import { type ProcessRef, signalVerified, stillRunning } from './identity.js';
import { pollUntil } from './poll.js';

const AFTER_KILL_MS = 5_000;

/** Verified signals to each ref (see signalVerified); the refs of processes that are gone are skipped. */
export function signalAll(refs: readonly ProcessRef[], signal: NodeJS.Signals): number {
  return signalVerified(refs, signal);
}

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

/**
 * The script's whole process group. Only for our own child before its exit is seen: until the
 * runner reaps it, neither its pid nor its group id can belong to anyone else.
 */
export function killOwnChildGroup(proc: ChildProcess): void {
  if (proc.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
  try {
    process.kill(-proc.pid, 'SIGKILL');
  } catch {
    // gone already
  }
}
