import type { AttemptEnd, Decision } from './outcome.js';
import type { RunEvent } from '../registry/record.js';

/**
 * Pure: what the runner does after an attempt the watchdog ended (action 'resume'): it counts as a
 * crash whatever the script's exit code (a script that saves and exits 0 on SIGINT did not
 * succeed), so the restart policy starts the next attempt while restarts are left. A stop asked
 * for, a signal from outside or a failed spawn decide as always: null leaves it to
 * decideAfterAttempt.
 */
export function decideAfterWatchdogEnd(end: AttemptEnd, event: RunEvent, attemptsSoFar: number, maxRestarts: number, now: Date): Decision | null {
  if (end.stopRequested || end.externalSignal || end.spawnError) return null;
  if (attemptsSoFar <= maxRestarts) return { kind: 'restart' };
  return {
    kind: 'end',
    status: {
      state: 'failed',
      endedAt: now.toISOString(),
      exitCode: end.exitCode,
      signal: end.signal,
      reason: `watchdog: ${event.kind} (${event.detail}), no restarts left (restart.maxRestarts ${maxRestarts})`,
    },
  };
}
