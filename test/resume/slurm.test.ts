import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, type Sandbox, cliJson, createSandbox, startRun, waitFor } from '../helpers/sandbox.js';

/** Against the real single-node SLURM of tools/slurm-single-node.sh; skipped loudly without one (as test/slurm). */
const available =
  spawnSync('sbatch', ['--version'], { stdio: 'ignore' }).status === 0 &&
  spawnSync('sinfo', ['-h'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
if (!available) console.warn('\n*** SLURM resume test SKIPPED: no SLURM cluster answers (bash tools/slurm-single-node.sh up). ***\n');

const CKPT = path.join(ROOT, 'examples', 'ckpt_train.py');

describe.skipIf(!available)('resume of a SLURM run', () => {
  let sandbox: Sandbox;
  const jobs: string[] = [];
  beforeAll(() => {
    sandbox = createSandbox('rl-run-slurm-resume-');
  });
  afterAll(async () => {
    if (jobs.length) spawnSync('scancel', jobs, { stdio: 'ignore' });
    await sandbox.cleanup();
  });

  it('stop, then resume: a new job for the same run, attempt 2 from the newest checkpoint, the separator before its output', async () => {
    const run = await startRun(sandbox, [
      '--backend', 'slurm', CKPT, '--resume-checkpoint', 'checkpoints/*.pt', '--resume-args=--resume {checkpoint}',
      '--', '--steps', '100000', '--step-time', '0.02', '--ckpt-every', '10',
    ]);
    const stdout = () => readFileSync(path.join(run.dir, 'stdout.log'), 'utf8');
    const first = sandbox.record(run.id).slurmJobId as string;
    jobs.push(first);
    await waitFor('a few checkpoints', () => /^step=3\d /m.test(stdout()), 60_000);
    expect((await sandbox.cli(['stop', run.id])).code).toBe(0);
    expect((await cliJson(sandbox, ['show', run.id, '--json'])).status.state).toBe('stopped');

    const resumed = await sandbox.cli(['resume', run.id]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(new RegExp(`^resumed ${run.id} as attempt 2, from checkpoints/step_\\d+\\.pt`));
    const record = sandbox.record(run.id);
    jobs.push(record.slurmJobId);
    expect(record.slurmJobId).not.toBe(first);
    expect(record.attempts).toHaveLength(2);
    expect(record.attempts[1].checkpoint).toMatch(new RegExp(`^${run.dir}/checkpoints/step_\\d+\\.pt$`));
    expect(readFileSync(path.join(run.dir, 'slurm-job.sh'), 'utf8')).toContain(`--resume ${record.attempts[1].checkpoint}`);
    await waitFor('the resumed job to log', () => /resumed from step \d+/.test(stdout()), 60_000);
    const text = stdout();
    expect(text.indexOf('──── rl-run: attempt 2, resumed from checkpoints/')).toBeLessThan(text.indexOf('resumed from step'));
    expect((await sandbox.cli(['stop', run.id])).code).toBe(0);
  });
});
