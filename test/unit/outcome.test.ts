import { describe, expect, it } from 'vitest';
import { type AttemptEnd, decideAfterAttempt } from '../../src/runner/outcome.js';

const now = new Date('2026-11-24T12:00:00Z');
const endedAt = now.toISOString();
const end = (over: Partial<AttemptEnd>): AttemptEnd => ({
  exitCode: 0,
  signal: null,
  stopRequested: false,
  externalSignal: null,
  spawnError: null,
  ...over,
});

describe('decideAfterAttempt', () => {
  it.each([
    ['exit 0', end({}), 1, 0, { kind: 'end', status: { state: 'succeeded', endedAt, exitCode: 0 } }],
    ['exit 1, no restarts', end({ exitCode: 1 }), 1, 0, { kind: 'end', status: { state: 'failed', endedAt, exitCode: 1, signal: null, reason: 'exit code 1' } }],
    ['killed by a signal nobody asked for', end({ exitCode: null, signal: 'SIGKILL' }), 1, 0, { kind: 'end', status: { state: 'failed', endedAt, exitCode: null, signal: 'SIGKILL', reason: 'killed by SIGKILL' } }],
    ['stopped by rl-run, exit 0 after the checkpoint', end({ stopRequested: true }), 1, 0, { kind: 'end', status: { state: 'stopped', endedAt, exitCode: 0, signal: null } }],
    ['stopped by rl-run, SIGKILL after the grace', end({ exitCode: null, signal: 'SIGKILL', stopRequested: true }), 1, 3, { kind: 'end', status: { state: 'stopped', endedAt, exitCode: null, signal: 'SIGKILL' } }],
    ['exit 1 with restarts left', end({ exitCode: 1 }), 1, 2, { kind: 'restart' }],
    ['exit 1, restarts used up', end({ exitCode: 1 }), 3, 2, { kind: 'end', status: { state: 'failed', endedAt, exitCode: 1, signal: null, reason: 'exit code 1' } }],
    ['exit 0 is never restarted', end({}), 1, 5, { kind: 'end', status: { state: 'succeeded', endedAt, exitCode: 0 } }],
    ['could not spawn', end({ exitCode: null, spawnError: "cannot start: 'python9' not found" }), 1, 5, { kind: 'end', status: { state: 'failed', endedAt, exitCode: null, signal: null, reason: "cannot start: 'python9' not found" } }],
  ] as const)('%s', (_label, attemptEnd, attempts, maxRestarts, decision) => {
    expect(decideAfterAttempt(attemptEnd, attempts, maxRestarts, now)).toEqual(decision);
  });

  it('calls a signal from outside rl-run (pm2 stop, pm2 kill) a failure with that signal', () => {
    const decision = decideAfterAttempt(end({ externalSignal: 'SIGINT' }), 1, 3, now);
    expect(decision).toMatchObject({ kind: 'end', status: { state: 'failed', signal: 'SIGINT' } });
  });
});
