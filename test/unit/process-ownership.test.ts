import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeWait, describeWaits } from '../../src/format/stop-progress.js';
import { layoutOfDir, parseStopRequest, readStopRequest, requestStop } from '../../src/registry/run-dir/index.js';
import { findRunProcesses, hasEnvEntry, isSameProcess, looksLikePm2Daemon, processRef, processStartTime, signalVerified, withoutRunIdentity } from '../../src/process/index.js';
import { StopWatch } from '../../src/runner/stop.js';

describe('run membership is a whole environment entry', () => {
  const env = (...entries: string[]) => entries.join('\0');
  it.each([
    ['the entry itself', env('A=1', 'RL_RUN_ID=r1', 'B=2'), true],
    ['the first entry', env('RL_RUN_ID=r1', 'B=2'), true],
    ['the last entry, with the trailing NUL /proc writes', `${env('A=1', 'RL_RUN_ID=r1')}\0`, true],
    ['another variable ending in it', env('PARENT_RL_RUN_ID=r1'), false],
    ['a value ending in it', env('NOTE=RL_RUN_ID=r1'), false],
    ['a longer id', env('RL_RUN_ID=r1-other'), false],
    ['a shorter id', env('RL_RUN_ID=r'), false],
    ['an id with a prefix', env('RL_RUN_ID=xr1'), false],
    ['both a look-alike and the entry', env('PARENT_RL_RUN_ID=r1', 'RL_RUN_ID=r1'), true],
    ['nothing', '', false],
  ])('%s', (_label, environ, expected) => {
    expect(hasEnvEntry(environ, 'RL_RUN_ID', 'r1')).toBe(expected);
  });
});

describe('pm2 daemons are told apart by their title', () => {
  it.each([
    ['pm2 7', 'PM2 v7.0.4: God Daemon (/home/a/.pm2)\0\0', null, true],
    ['pm2 5', 'PM2 v5.3.0: God Daemon (/tmp/x)', null, true],
    ['a custom title', 'my daemon\0', 'A=1\0PM2_DAEMON_TITLE=my daemon\0', true],
    ['our runner under pm2', 'node /opt/rl-run/dist/runner/main.js\0', null, false],
    ['a script', 'python3\0train.py\0', null, false],
    ['a custom title on another process', 'python3\0', 'PM2_DAEMON_TITLE=my daemon\0', false],
  ])('%s', (_label, cmdline, environ, expected) => {
    expect(looksLikePm2Daemon(cmdline, environ)).toBe(expected);
  });
});

describe('processes rl-run starts that are not the run carry no run identity', () => {
  it('strips RL_RUN_ID, RL_RUN_DIR and RL_RUN_NAME, and nothing else', () => {
    expect(withoutRunIdentity({ RL_RUN_ID: 'a', RL_RUN_DIR: '/r/a', RL_RUN_NAME: 'a', RL_RUN_NO_USER_CONFIG: '1', PATH: '/bin' })).toEqual({
      RL_RUN_NO_USER_CONFIG: '1',
      PATH: '/bin',
    });
  });
});

describe('signals go only to a verified process', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
  });
  const sleeper = (env: NodeJS.ProcessEnv = process.env) => {
    const child = spawn('sleep', ['60'], { env, stdio: 'ignore' });
    children.push(child);
    return child;
  };

  it('refuses a ref whose start time differs, or that has none, or names a group or rl-run itself', async () => {
    const child = sleeper();
    await waitUntil(() => processStartTime(child.pid!) !== undefined);
    const ref = processRef(child.pid!);
    expect(isSameProcess(ref)).toBe(true);
    expect(signalVerified([{ pid: child.pid!, startTime: ref.startTime! + 1 }], 'SIGKILL')).toBe(0);
    expect(signalVerified([{ pid: child.pid! }], 'SIGKILL')).toBe(0);
    expect(signalVerified([{ pid: -child.pid!, startTime: ref.startTime! }, processRef(process.pid)], 'SIGKILL')).toBe(0);
    expect(existsSync(`/proc/${child.pid}`)).toBe(true);
    const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    expect(signalVerified([ref], 'SIGTERM')).toBe(1);
    expect(await exited).toBe('SIGTERM');
  });

  it('finds members by exact entry and descendants only below a verified root', async () => {
    const id = `unit-${process.pid}-${Date.now()}`;
    const member = sleeper({ ...process.env, RL_RUN_ID: id });
    const lookalike = sleeper({ ...process.env, PARENT_RL_RUN_ID: id });
    const parent = spawn('sh', ['-c', 'sleep 60 & wait'], { stdio: 'ignore' });
    children.push(parent);
    const grandchild = await waitUntil(() => childrenOf(parent.pid!)[0]);
    const pids = (refs: { pid: number }[]) => refs.map((ref) => ref.pid).sort();
    expect(pids(findRunProcesses(id))).toEqual([member.pid]);
    expect(pids(findRunProcesses(id, processRef(parent.pid!)))).toEqual([member.pid!, parent.pid!, grandchild].sort());
    // The same pid with another start time is not the root: nothing below it is walked.
    expect(pids(findRunProcesses(id, { pid: parent.pid!, startTime: processRef(parent.pid!).startTime! + 1 }))).toEqual([member.pid]);
    expect(pids(findRunProcesses(id))).not.toContain(lookalike.pid);
    process.kill(grandchild, 'SIGKILL');
  });
});

describe('stop requests', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const fresh = () => {
    dir = mkdtempSync(path.join(tmpdir(), 'rl-run-stop-'));
    return layoutOfDir(dir);
  };

  it('the first stop makes the request; later ones join it and keep its deadline', () => {
    const layout = fresh();
    const first = requestStop(layout, 30_000, 1_000_000);
    expect(first).toEqual({ created: true, request: { requestedAt: 1_000_000, deadline: 1_030_000 } });
    const second = requestStop(layout, 5_000, 1_010_000);
    expect(second).toEqual({ created: false, request: { requestedAt: 1_000_000, deadline: 1_030_000 } });
    expect(readdirSync(dir)).toEqual(['stop-requested']);
  });

  it('never writes through a symlink at the request path', () => {
    const layout = fresh();
    const outside = path.join(dir, 'outside.txt');
    writeFileSync(outside, 'precious');
    symlinkSync(outside, layout.stopRequest);
    expect(requestStop(layout, 30_000, 2_000_000).created).toBe(false);
    expect(readFileSync(outside, 'utf8')).toBe('precious');
    expect(readStopRequest(layout, 30_000)).not.toBeNull();
  });

  it.each([
    ['as written now', '{"requestedAt":"2026-01-01T00:00:00.000Z","deadline":"2026-01-01T00:00:30.000Z","timeoutMs":30000}', { requestedAt: Date.parse('2026-01-01T00:00:00.000Z'), deadline: Date.parse('2026-01-01T00:00:30.000Z') }],
    ['an older rl-run: the time alone', '2026-01-01T00:00:00.000Z\n', { requestedAt: Date.parse('2026-01-01T00:00:00.000Z'), deadline: Date.parse('2026-01-01T00:00:10.000Z') }],
    ['unreadable: from its time stamp', null, { requestedAt: 5_000, deadline: 15_000 }],
    ['garbage: from its time stamp', '{"deadline": 3}', { requestedAt: 5_000, deadline: 15_000 }],
  ])('%s', (_label, text, expected) => {
    expect(parseStopRequest(text, 5_000, 10_000)).toEqual(expected);
  });
});

describe("the runner's stop watch", () => {
  it('carries out a request once: one interrupt however often it is asked, one kill at the deadline', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rl-run-watch-'));
    try {
      const layout = layoutOfDir(dir);
      const calls: string[] = [];
      const watch = new StopWatch(layout, 30_000, { interrupt: () => calls.push('interrupt'), kill: () => calls.push('kill'), log: () => {} });
      expect(watch.check()).toBe(false);
      expect(calls).toEqual([]);
      requestStop(layout, 100);
      for (let i = 0; i < 30; i++) expect(watch.check()).toBe(true);
      expect(calls).toEqual(['interrupt']);
      await waitUntil(() => calls.includes('kill'));
      expect(calls).toEqual(['interrupt', 'kill']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds a request on its own within a second, with nobody signalling the runner', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rl-run-watch-'));
    try {
      const layout = layoutOfDir(dir);
      const calls: string[] = [];
      new StopWatch(layout, 30_000, { interrupt: () => calls.push('interrupt'), kill: () => calls.push('kill'), log: () => {} });
      requestStop(layout, 60_000);
      await waitUntil(() => calls.length > 0);
      expect(calls).toEqual(['interrupt']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('what a stop says it waits for', () => {
  it.each([
    [{ id: 'ppo-1', phase: 'save', since: 0, deadline: 30_000 }, 4_000, 'waiting for ppo-1 to save (SIGINT sent 4 s ago, SIGKILL in 26 s)'],
    [{ id: 'ppo-1', phase: 'start', since: 0, deadline: 30_000 }, 1_000, 'waiting for ppo-1 to start (stop asked 1 s ago: SIGINT once it is up, SIGKILL in 29 s)'],
    [{ id: 'ppo-1', phase: 'end', since: 30_000, deadline: 30_000 }, 32_000, 'waiting for ppo-1 to end (SIGKILL sent 2 s ago)'],
  ] as const)('%o', (progress, now, line) => {
    expect(describeWait(progress, now)).toBe(line);
  });

  it('several: the one nearest its deadline, and how many more', () => {
    const waits = [
      { id: 'b', phase: 'save', since: 0, deadline: 60_000 },
      { id: 'a', phase: 'save', since: 0, deadline: 30_000 },
    ] as const;
    expect(describeWaits(waits, 0)).toBe('waiting for a to save (SIGINT sent 0 s ago, SIGKILL in 30 s) and 1 more');
  });
});

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function waitUntil<T>(condition: () => T): Promise<NonNullable<T>> {
  for (let i = 0; i < 400; i++) {
    const value = condition();
    if (value) return value as NonNullable<T>;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('condition never held');
}
