import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, cliJson, createSandbox, waitFor } from '../helpers/sandbox.js';

/**
 * A sweep on a real single-node SLURM (`bash tools/slurm-single-node.sh up`, as root): one job
 * array, each task its own run. Skipped, loudly, where no cluster answers (as cluster.test.ts).
 */
const available =
  spawnSync('sbatch', ['--version'], { stdio: 'ignore' }).status === 0 &&
  spawnSync('sinfo', ['-h'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
if (!available) console.warn('\n*** SLURM sweep tests SKIPPED: no SLURM cluster answers (bash tools/slurm-single-node.sh up, as root). ***\n');

const SCRIPT = `import sys, time
args = sys.argv[1:]
print('ARGV ' + ' '.join(args), flush=True)
if '--sleep' in args: time.sleep(float(args[args.index('--sleep') + 1]))
`;

describe.skipIf(!available)('sweeps on a single-node SLURM', { timeout: 180_000 }, () => {
  let sandbox: Sandbox;
  let config: string;
  beforeAll(() => {
    sandbox = createSandbox('rl-run-slurm-sweep-');
    sandbox.write('train.py', SCRIPT);
    // One task at a time: the test cluster is one node of two CPUs, shared with the other SLURM tests.
    config = sandbox.write('runs.config.json', JSON.stringify({ backend: 'slurm', slurm: { arrayParallelism: 1 } }));
  });
  afterAll(async () => {
    const jobs = existsSync(sandbox.runsDir)
      ? readdirSync(sandbox.runsDir)
          .filter((id) => !id.startsWith('.'))
          .map((id) => sandbox.record(id).slurmJobId as string | undefined)
          .filter((job): job is string => Boolean(job))
      : [];
    if (jobs.length) spawnSync('scancel', jobs, { stdio: 'ignore' });
    await sandbox.cleanup();
  });

  const states = async (id: string) => (await cliJson(sandbox, ['sweep', 'status', id, '--json'])).counts;
  const sweepRecord = (id: string) => JSON.parse(readFileSync(path.join(sandbox.runsDir, '.sweeps', id, 'sweep.json'), 'utf8'));

  it('is one array job of N tasks (%K from slurm.arrayParallelism), each task its own run with its own record and log', async () => {
    const made = await cliJson(sandbox, ['--config', config, 'sweep', 'train.py', '--grid', 'lr=1,2', '--seeds', '1-3', '--json', '--', '--sleep', '0.2']);
    expect(made.started).toHaveLength(6);
    const sweep = sweepRecord(made.id);
    expect(sweep.arrays).toHaveLength(1);
    const jobId: string = sweep.arrays[0].jobId;
    expect(jobId).toMatch(/^\d+$/);
    expect(sweep.arrays[0].runs).toEqual(made.started.map((cell: { runId: string }) => cell.runId));
    const script = readdirSync(path.join(sandbox.runsDir, '.sweeps', made.id)).filter((name) => name.endsWith('.sh'));
    expect(script).toEqual(['array-1.sh']);
    // SLURM knows one job: its array of six tasks, one at a time.
    const shown = execFileSync('scontrol', ['show', 'job', jobId], { encoding: 'utf8' });
    expect(shown).toMatch(/ArrayTaskThrottle=1/);
    expect(new Set([...shown.matchAll(/ArrayJobId=(\d+)/g)].map((m) => m[1]))).toEqual(new Set([jobId]));
    made.started.forEach((cell: { runId: string }, index: number) => {
      expect(sandbox.record(cell.runId)).toMatchObject({ backend: 'slurm', slurmJobId: `${jobId}_${index}`, sweep: { id: made.id } });
    });
    await waitFor('every task to succeed', async () => ((await states(made.id)).succeeded === 6 ? true : null), 120_000);
    for (const cell of made.started) {
      const out = readFileSync(path.join(sandbox.runsDir, cell.runId, 'stdout.log'), 'utf8');
      expect(out).toBe(`ARGV --sleep 0.2 --lr ${cell.cell.lr} --seed ${cell.cell.seed}\n`);
      expect((await cliJson(sandbox, ['show', cell.runId, '--json'])).status).toMatchObject({ state: 'succeeded', exitCode: 0 });
    }
  });

  it('after part of the array is cancelled outside rl-run, resume submits one array of just those cells; stop --sweep stops the rest', async () => {
    const made = await cliJson(sandbox, ['--config', config, 'sweep', 'train.py', '--grid', 'lr=1,2', '--seeds', '2', '--name', 'long', '--json', '--', '--sleep', '120']);
    const ids: string[] = made.started.map((cell: { runId: string }) => cell.runId);
    const jobId: string = sweepRecord(made.id).arrays[0].jobId;
    execFileSync('scancel', [`${jobId}_1`, `${jobId}_3`]);
    // A running task cancelled reads failed ('cancelled outside rl-run'); a pending one SLURM forgets at once, so lost.
    await waitFor('the cancelled tasks to end', async () => {
      const counts = await states(made.id);
      return (counts.failed ?? 0) + (counts.lost ?? 0) === 2 ? true : null;
    }, 60_000);

    const resumed = await cliJson(sandbox, ['--config', config, 'sweep', 'resume', made.id, '--json']);
    expect(resumed.started.map((cell: { cell: unknown }) => cell.cell)).toEqual([made.started[1].cell, made.started[3].cell]);
    const arrays = sweepRecord(made.id).arrays;
    expect(arrays).toHaveLength(2);
    expect(arrays[1].runs).toEqual(resumed.started.map((cell: { runId: string }) => cell.runId));
    resumed.started.forEach((cell: { runId: string }, index: number) => {
      expect(sandbox.record(cell.runId).slurmJobId).toBe(`${arrays[1].jobId}_${index}`);
    });
    expect((await cliJson(sandbox, ['--config', config, 'sweep', 'resume', made.id, '--json'])).started).toEqual([]);

    const stop = await sandbox.cli(['stop', '--sweep', made.id, '--timeout', '3s']);
    expect(stop.code).toBe(0);
    expect(stop.stdout.trim().split('\n')).toHaveLength(4);
    expect(await states(made.id)).toEqual({ stopped: 4 });
    expect(ids.every((id) => sandbox.record(id).status.state !== 'running')).toBe(true);
  });
});
