import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, createSandbox, isAlive, pm2, waitFor } from '../helpers/sandbox.js';

const WITNESS_PY = readFileSync(new URL('../fixtures/scripts/gpu-witness.py', import.meta.url), 'utf8');
const FINAL = ['succeeded', 'failed', 'stopped', 'lost'];

/** Real pm2, real Python: runs through rl-run's queue, each project with its own runs directory (and so its own queue). */
describe('the queue and GPU placement', () => {
  let sandbox: Sandbox;
  beforeAll(() => {
    sandbox = createSandbox();
  });
  afterAll(() => sandbox.cleanup());

  let projects = 0;
  function project(queue: Record<string, unknown> | null) {
    const dir = path.join(sandbox.dir, `p${++projects}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'runs.config.json'), JSON.stringify({ runsDir: './runs', ...(queue ? { queue } : {}) }));
    writeFileSync(path.join(dir, 'w.py'), WITNESS_PY);
    const runsDir = path.join(dir, 'runs');
    const cli = (args: string[]) => sandbox.cli(args, { cwd: dir });
    const start = async (args: string[]) => {
      const result = await cli(['start', '--json', ...args]);
      if (result.code !== 0) throw new Error(`start failed (${result.code}): ${result.stderr}`);
      return JSON.parse(result.stdout) as { id: string; state: string; position?: number; reason?: string; gpus?: number[] };
    };
    const record = (id: string) => JSON.parse(readFileSync(path.join(runsDir, id, 'run.json'), 'utf8'));
    const stdout = (id: string) => readFileSync(path.join(runsDir, id, 'stdout.log'), 'utf8');
    const state = (id: string) => record(id).status.state as string;
    const go = (name: string) => writeFileSync(path.join(dir, name), '');
    return { dir, runsDir, cli, start, record, stdout, state, go, file: (name: string) => path.join(dir, name) };
  }

  it('2 slots and 2 GPUs, 6 runs: never more than 2 at once, each sees only its own GPU', async () => {
    const p = project({ maxParallel: 2, gpus: [0, 1] });
    const runs: Awaited<ReturnType<typeof p.start>>[] = [];
    for (let i = 0; i < 6; i++) runs.push(await p.start(['w.py', '--gpus', '1', '--', '0.4']));
    expect(runs.slice(0, 2).map((r) => r.state)).toEqual(['running', 'running']);
    expect(runs.slice(2).every((r) => r.state === 'queued' || FINAL.includes(r.state) || r.state === 'running')).toBe(true);
    const queuedOne = runs.find((r) => r.state === 'queued');
    if (queuedOne) expect(queuedOne.reason).toMatch(/^waiting for a (slot \(2 of 2 running\)|GPU \(2 of 2 busy\))$/);
    await waitFor('all six to end', () => runs.every((r) => FINAL.includes(p.state(r.id))), 60_000);
    const spans = runs.map((r) => {
      const out = p.stdout(r.id);
      const rec = p.record(r.id);
      expect(rec.status.state).toBe('succeeded');
      expect(rec.gpus).toHaveLength(1);
      // The script saw exactly the GPU its record names.
      expect(out).toContain(`CVD='${rec.gpus[0]}'`);
      return { gpu: rec.gpus[0] as number, start: Number(/start=([\d.]+)/.exec(out)![1]), end: Number(/end=([\d.]+)/.exec(out)![1]) };
    });
    for (const a of spans) {
      // Most runs at once is reached at some run's start: count those running at that instant
      // (two that both overlap a long run need not overlap each other).
      const runningAtStart = spans.filter((b) => b.start <= a.start && a.start < b.end);
      expect(runningAtStart.length).toBeLessThanOrEqual(2);
      const overlapping = spans.filter((b) => b.start < a.end && a.start < b.end);
      expect(overlapping.filter((b) => b.gpu === a.gpu)).toHaveLength(1);
    }
    // With a pool, a run that asked for no GPU gets none: CUDA_VISIBLE_DEVICES is set and empty.
    const none = await p.start(['w.py', '--', '0.1']);
    await waitFor('the 0-GPU run to end', () => FINAL.includes(p.state(none.id)));
    expect(p.stdout(none.id)).toContain("CVD=''");
    expect(p.record(none.id).gpus).toEqual([]);
    const ls = await p.cli(['ls']);
    expect(ls.stdout).toMatch(/GPUS/);
    const show = await p.cli(['show', runs[0]!.id]);
    expect(show.stdout).toMatch(new RegExp(`^gpus\\s+${p.record(runs[0]!.id).gpus[0]}$`, 'm'));
  });

  it('--after waits for success, and fails without starting when the dependency fails', async () => {
    const p = project(null);
    const first = await p.start(['w.py', '--', p.file('go-first')]);
    const next = await p.start(['w.py', '--after', first.id, '--', '0.05']);
    expect(next.state).toBe('queued');
    expect(next.reason).toBe(`after ${first.id} (running)`);
    const doomed = await p.start(['w.py', '--', p.file('go-doomed'), '3']);
    const waiter = await p.start(['w.py', '--after', doomed.id, '--after', first.id, '--', '0.05']);
    const listed = await p.cli(['ls', '--status', 'queued']);
    expect(listed.stdout).toContain(next.id);
    expect(listed.stdout).toContain(waiter.id);
    expect(listed.stdout).toMatch(/queued #1/);
    p.go('go-doomed');
    await waitFor('the waiter to fail', () => p.state(waiter.id) === 'failed');
    expect(p.record(waiter.id).status.reason).toBe(`dependency ${doomed.id} failed`);
    expect(p.record(waiter.id).pid).toBeUndefined();
    expect(p.stdout(waiter.id)).toBe('');
    expect(p.state(next.id)).toBe('queued');
    p.go('go-first');
    await waitFor('the dependent run to succeed', () => p.state(next.id) === 'succeeded');
    expect(new Date(p.record(next.id).startedAt).getTime()).toBeGreaterThanOrEqual(new Date(p.record(first.id).status.endedAt).getTime());
  });

  it('checks --after, --gpus and restart of a queued run before doing anything', async () => {
    const p = project({ maxParallel: 1, gpus: [0, 1] });
    const unknown = await p.cli(['start', 'w.py', '--after', 'no-such-run']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no run matches 'no-such-run'/);
    const tooMany = await p.cli(['start', 'w.py', '--gpus', '3']);
    expect(tooMany.code).toBe(2);
    expect(tooMany.stderr.trim().split('\n')).toHaveLength(1);
    expect(tooMany.stderr).toMatch(/--gpus 3: the GPU pool has only 2/);
    expect(existsSync(p.runsDir) ? readdirSync(p.runsDir).filter((n) => !n.startsWith('.')) : []).toEqual([]);
    const blocker = await p.start(['w.py', '--', p.file('go')]);
    const queued = await p.start(['w.py', '--', '0.05']);
    expect(queued.state).toBe('queued');
    const restart = await p.cli(['restart', queued.id]);
    expect(restart.code).toBe(2);
    expect(restart.stderr).toMatch(/cannot restart .*: it is still queued/);
    const stop = await p.cli(['stop', queued.id]);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain('cancelled before it started');
    expect(p.record(queued.id).status).toMatchObject({ state: 'stopped', reason: 'cancelled before it started' });
    p.go('go');
    await waitFor('the blocker to end', () => p.state(blocker.id) === 'succeeded');
    // The cancelled run never starts, even once the slot is free.
    const after = await p.start(['w.py', '--', '0.05']);
    await waitFor('the next run to end', () => FINAL.includes(p.state(after.id)));
    expect(p.record(queued.id).pid).toBeUndefined();
    expect(p.stdout(queued.id)).toBe('');
  });

  it('orders the queue by --priority, then the oldest', async () => {
    const p = project({ maxParallel: 1 });
    const blocker = await p.start(['w.py', '--', p.file('go')]);
    const low = await p.start(['w.py', '--', '0.05']);
    const high = await p.start(['w.py', '--priority', '5', '--', '0.05']);
    const mid = await p.start(['w.py', '--priority', '1', '--', '0.05']);
    expect([low.position, high.position, mid.position]).toEqual([1, 1, 2]);
    p.go('go');
    await waitFor('the queue to drain', () => [blocker, low, high, mid].every((r) => p.state(r.id) === 'succeeded'), 30_000);
    const order = [low, high, mid].sort((a, b) => p.record(a.id).startedAt.localeCompare(p.record(b.id).startedAt)).map((r) => r.id);
    expect(order).toEqual([high.id, mid.id, low.id]);
  });

  it('a slot freed by kill -9 of the runner and the script goes to the next queued run', async () => {
    const p = project({ maxParallel: 1 });
    const victim = await p.start(['w.py', '--', p.file('never')]);
    const waiting = await p.start(['w.py', '--', '0.05']);
    expect(waiting.state).toBe('queued');
    const rec = p.record(victim.id);
    process.kill(rec.runner.pid, 'SIGKILL');
    process.kill(rec.pid, 'SIGKILL');
    await waitFor('the victim to be gone', () => !isAlive(rec.pid) && !isAlive(rec.runner.pid));
    // Nobody types anything: the dispatcher sees the slot free.
    await waitFor('the queued run to start and end', () => p.state(waiting.id) === 'succeeded', 30_000);
  });

  it('a GPU is not given again while a process of the run that had it lives on (kill -9 left a worker behind)', async () => {
    const p = project({ gpus: [0] });
    // The script starts a worker (it inherits RL_RUN_ID) that lives until `release` exists, at most 60 s.
    writeFileSync(
      p.file('parent.py'),
      [
        'import os, subprocess, sys, time',
        'worker = subprocess.Popen([sys.executable, "-c", "import os, sys, time\\nt = time.time()\\nwhile not os.path.exists(sys.argv[1]) and time.time() - t < 60: time.sleep(0.02)", sys.argv[1]])',
        'open(sys.argv[2], "w").write(str(worker.pid))',
        'time.sleep(600)',
      ].join('\n'),
    );
    writeFileSync(
      p.file('child.py'),
      'import os, sys\npid = int(open(sys.argv[1]).read())\ntry:\n    os.kill(pid, 0)\n    alive = open(f"/proc/{pid}/stat").read().split(")")[-1].split()[0] != "Z"\nexcept OSError:\n    alive = False\nprint("worker alive:", alive, flush=True)\n',
    );
    const holder = await p.start(['parent.py', '--gpus', '1', '--', p.file('release'), p.file('worker.pid')]);
    await waitFor('the worker to start', () => existsSync(p.file('worker.pid')) && readFileSync(p.file('worker.pid'), 'utf8'));
    const next = await p.start(['child.py', '--gpus', '1', '--', p.file('worker.pid')]);
    expect(next).toMatchObject({ state: 'queued', reason: 'waiting for a GPU (1 of 1 busy)' });
    const rec = p.record(holder.id);
    process.kill(rec.runner.pid, 'SIGKILL');
    process.kill(rec.pid, 'SIGKILL');
    // The dispatcher's pass finds the run lost (it writes that) and still sees its worker on GPU 0.
    await waitFor('the holder to be found lost', () => p.state(holder.id) === 'lost');
    expect(p.state(next.id)).toBe('queued');
    expect(p.record(next.id).status.reason).toBe('waiting for a GPU (1 of 1 busy)');
    p.go('release');
    await waitFor('the next run to end', () => FINAL.includes(p.state(next.id)));
    expect(p.record(next.id).gpus).toEqual([0]);
    expect(p.stdout(next.id)).toContain('worker alive: False');
  });

  it('after pm2 kill, queued runs stay queued and the next rl-run command resumes dispatch', async () => {
    const p = project({ maxParallel: 1 });
    const blocker = await p.start(['w.py', '--', p.file('never')]);
    const waiting = await p.start(['w.py', '--', '0.05']);
    pm2(sandbox, 'kill');
    expect(p.state(waiting.id)).toBe('queued');
    const ls = await p.cli(['ls']);
    expect(ls.code).toBe(0);
    await waitFor('the queued run to run', () => p.state(waiting.id) === 'succeeded', 30_000);
    expect(FINAL).toContain(p.state(blocker.id));
    // pm2 signals the script before its runner: the run still reads as taken by pm2 going down
    // (resurrect continues it), not as a script killed by hand.
    expect(p.record(blocker.id).attempts.at(-1).endCause).toBe('supervisor-down');
  });
});
