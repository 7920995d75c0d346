import type { RunStatus } from '../registry/record.js';

/** How an attempt ended, as the runner saw it. */
export interface AttemptEnd {
  exitCode: number | null;
  signal: string | null;
  /** `rl-run stop` asked for this end. */
  stopRequested: boolean;
  /** The runner itself was signalled from outside rl-run (pm2 stop, pm2 kill, a shell's kill). */
  externalSignal: string | null;
  /** The process could not be spawned at all. */
  spawnError: string | null;
}

export type Decision = { kind: 'restart' } | { kind: 'end'; status: RunStatus };

/** Pure: what the runner does after an attempt ends. */
export function decideAfterAttempt(
  end: AttemptEnd,
  attemptsSoFar: number,
  maxRestarts: number,
  now: Date,
): Decision {
  const endedAt = now.toISOString();
  const { exitCode, signal } = end;
  if (end.spawnError) {
    return { kind: 'end', status: { state: 'failed', endedAt, exitCode: null, signal: null, reason: end.spawnError } };
  }
  if (end.stopRequested) return { kind: 'end', status: { state: 'stopped', endedAt, exitCode, signal } };
  if (end.externalSignal) {
    return {
      kind: 'end',
      status: {
        state: 'failed',
        endedAt,
        exitCode,
        signal: signal ?? end.externalSignal,
        reason: `${end.externalSignal} sent to the run from outside rl-run (pm2 stop, pm2 kill or kill?); use 'rl-run stop'`,
      },
    };
  }
  if (exitCode === 0) return { kind: 'end', status: { state: 'succeeded', endedAt, exitCode: 0 } };
  if (attemptsSoFar <= maxRestarts) return { kind: 'restart' };
  const reason = signal ? `killed by ${signal}` : `exit code ${exitCode}`;
  return { kind: 'end', status: { state: 'failed', endedAt, exitCode, signal, reason } };
}

export function describeEnd(end: Pick<AttemptEnd, 'exitCode' | 'signal'>): string {
  return end.signal ? `killed by ${end.signal}` : `exit code ${end.exitCode}`;
}
