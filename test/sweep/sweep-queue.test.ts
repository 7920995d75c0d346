import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, cliJson, createSandbox, isAlive, waitFor } from '../helpers/sandbox.js';

/**
 * Issue 12's "done when", end to end with the real pm2 and Python: a 2 × 2 × 3 sweep through a
 * 2-slot, 2-GPU queue, every run seeing only its own GPU; a run killed with kill -9 and cells that
 * failed are started again by `sweep resume`, exactly those, once.
 */
const SCRIPT = `import os, sys, time
args = sys.argv[1:]
value = lambda key: args[args.index('--' + key) + 1]
print('CVD=' + repr(os.environ.get('CUDA_VISIBLE_DEVICES')), flush=True)
print('start=%f' % time.time(), flush=True)
here = os.path.dirname(os.path.abspath(__file__))
cell = (value('lr'), value('ent-coef'), value('seed'))
if cell == ('3e-4', '0', '1'):
    while not os.path.exists(os.path.join(here, 'go')): time.sleep(0.02)
else:
    time.sleep(0.3)
print('end=%f' % time.time(), flush=True)
if value('seed') == '3' and value('lr') == '1e-3' and not os.path.exists(os.path.join(here, 'fixed')): sys.exit(3)
`;

interface Listed {
  id: string;
  status: { state: string };
  gpus?: number[];
  runner?: { pid: number };
  pid?: number;
  sweep?: { id: string; cell: Record<string, string | number> };
}

const FINAL = ['succeeded', 'failed', 'stopped', 'lost'];
let sandbox: Sandbox;

beforeAll(() => {
  sandbox = createSandbox('rl-run-sweep-queue-');
  sandbox.write('train.py', SCRIPT);
  sandbox.write('runs.config.json', JSON.stringify({ queue: { maxParallel: 2, gpus: [0, 1] } }));
});
afterAll(async () => {
  await sandbox.cleanup();
});

const listSweep = (id: string) => cliJson<Listed[]>(sandbox, ['ls', '--sweep', id, '--json']);
const stdout = (id: string) => readFileSync(path.join(sandbox.runsDir, id, 'stdout.log'), 'utf8');

describe('a sweep through the queue', () => {
  it('2 × 2 × 3 through 2 slots and 2 GPUs: each run on its own GPU, never more than 2 at once; resume starts exactly the killed and failed cells', async () => {
    const made = await cliJson<{ id: string; started: { runId: string; status: string }[] }>(sandbox, [
      'sweep', 'train.py', '--grid', 'lr=1e-3,3e-4', '--grid', 'ent-coef=0,0.01', '--seeds', '1-3', '--gpus', '1', '--json',
    ]);
    expect(made.started).toHaveLength(12);

    // The cell that waits for `go` holds one slot: kill its runner and script with kill -9.
    const held = await waitFor('the waiting cell to run', async () => {
      const runs = await listSweep(made.id);
      const run = runs.find((r) => r.sweep?.cell.lr === '3e-4' && r.sweep.cell['ent-coef'] === '0' && r.sweep.cell.seed === 1);
      return run?.status.state === 'running' && run.runner && run.pid && existsSync(path.join(sandbox.runsDir, run.id, 'stdout.log')) && stdout(run.id).includes('start=') ? run : null;
    }, 60_000);
    process.kill(held.runner!.pid, 'SIGKILL');
    process.kill(held.pid!, 'SIGKILL');
    await waitFor('the killed processes to be gone', () => (!isAlive(held.runner!.pid) && !isAlive(held.pid!)) || null);

    const first = await waitFor('every cell to end', async () => {
      const runs = await listSweep(made.id);
      return runs.length === 12 && runs.every((r) => FINAL.includes(r.status.state)) ? runs : null;
    }, 120_000);
    const byState = (runs: Listed[], state: string) => runs.filter((r) => r.status.state === state).length;
    expect(byState(first, 'lost')).toBe(1);
    expect(byState(first, 'failed')).toBe(2);
    expect(byState(first, 'succeeded')).toBe(9);

    // Every run saw exactly the one GPU its record names, and no two overlapping runs shared one.
    const spans = first
      .filter((r) => r.id !== held.id)
      .map((r) => {
        expect(r.gpus).toHaveLength(1);
        const out = stdout(r.id);
        expect(out).toContain(`CVD='${r.gpus![0]}'`);
        return { gpu: r.gpus![0]!, start: Number(/start=([\d.]+)/.exec(out)![1]), end: Number(/end=([\d.]+)/.exec(out)![1]) };
      });
    for (const a of spans) {
      // Most runs at once is reached at some run's start: count those running at that instant
      // (two that both overlap a long run need not overlap each other).
      const runningAtStart = spans.filter((b) => b.start <= a.start && a.start < b.end);
      expect(runningAtStart.length).toBeLessThanOrEqual(2);
      const overlapping = spans.filter((b) => b.start < a.end && a.start < b.end);
      expect(overlapping.filter((b) => b.gpu === a.gpu)).toHaveLength(1);
    }

    // Fixed: resume starts the lost cell and the two failed ones, and nothing else.
    sandbox.write('go', '');
    sandbox.write('fixed', '');
    const resumed = await cliJson<{ started: { runId: string }[] }>(sandbox, ['sweep', 'resume', made.id, '--json']);
    expect(resumed.started).toHaveLength(3);
    const again = await cliJson<{ started: unknown[] }>(sandbox, ['sweep', 'resume', made.id, '--json']);
    expect(again.started).toHaveLength(0);
    await waitFor('the resumed cells to succeed', async () => {
      const status = await cliJson<{ cells: { status: string }[]; counts: Record<string, number> }>(sandbox, ['sweep', 'status', made.id, '--json']);
      return status.cells.length === 12 && status.cells.every((c) => c.status === 'succeeded') ? status : null;
    }, 120_000);
    expect((await listSweep(made.id)).length).toBe(15);
  });
});
