import { describe, expect, it } from 'vitest';
import type { RunRecord, RunStatus } from '../../src/registry/record.js';
import { whyNotTake } from '../../src/runner/claim.js';

const LAUNCHER = { pid: 100, startTime: 1 };
const OTHER_RUNNER = { pid: 200, startTime: 2 };
const ended: RunStatus = { state: 'stopped', endedAt: '2026-01-01T00:00:00.000Z', exitCode: 0, signal: null };

function record(status: RunStatus, runner?: RunRecord['runner']): RunRecord {
  return { id: 'r1', status, launcher: LAUNCHER, ...(runner ? { runner } : {}) } as RunRecord;
}

describe('whyNotTake: may a runner take this run?', () => {
  it.each([
    ['a fresh start, its launcher waiting', record({ state: 'starting' }), [LAUNCHER], null],
    ['an ended run (pm2 resurrect)', record(ended), [LAUNCHER], 'its record says stopped, not starting'],
    ['a running run with a live runner', record({ state: 'running' }, OTHER_RUNNER), [OTHER_RUNNER], 'its record says running'],
    ['a lost run', record({ state: 'lost', detectedAt: 'x', reason: 'y' }), [], 'its record says lost'],
    ['starting, but another runner took it', record({ state: 'starting' }, OTHER_RUNNER), [LAUNCHER, OTHER_RUNNER], 'another runner (pid 200)'],
    ['starting, its launcher gone (killed before pm2 save)', record({ state: 'starting' }), [], 'started it (pid 100) is gone'],
  ] as const)('%s', (_what, run, alive, expected) => {
    const why = whyNotTake(run, (ref) => (alive as readonly { pid: number }[]).some((a) => a.pid === ref?.pid));
    if (expected === null) expect(why).toBeNull();
    else expect(why).toContain(expected);
  });
});
