import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, ROOT, type Sandbox, cliJson, createSandbox, startRun, waitFor } from '../helpers/sandbox.js';
import { webhookServer } from '../helpers/webhook.js';

/**
 * Against a real SLURM: `bash tools/slurm-single-node.sh up` (as root) brings up a
 * single-node cluster. Where there is no cluster to talk to (no sbatch, or slurmctld down after
 * `down`) these tests are skipped, loudly; with RL_RUN_REQUIRE_SLURM=1 (set by .ci/run after a
 * successful `up`) that fails instead.
 */
const available =
  spawnSync('sbatch', ['--version'], { stdio: 'ignore' }).status === 0 &&
  spawnSync('sinfo', ['-h'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
const required = process.env.RL_RUN_REQUIRE_SLURM === '1';
if (!available) {
  console.warn(
    `\n*** SLURM tests ${required ? 'FAIL' : 'SKIPPED'}: no SLURM cluster answers (sbatch missing or slurmctld down). Bring a cluster up with 'bash tools/slurm-single-node.sh up' (as root). ***\n`,
  );
}

describe.runIf(required && !available)('SLURM is required here (RL_RUN_REQUIRE_SLURM=1)', () => {
  it('has a SLURM cluster that answers', () => {
    expect.fail('RL_RUN_REQUIRE_SLURM=1 but no SLURM cluster answers (sbatch, sinfo): the SLURM tests did not run');
  });
});

/** Every job the sandbox's runs submitted, so that none outlives the tests. */
function cancelJobs(sandbox: Sandbox): void {
  if (!existsSync(sandbox.runsDir)) return;
  const jobs = readdirSync(sandbox.runsDir)
    .map((id) => {
      try {
        return sandbox.record(id).slurmJobId as string | undefined;
      } catch {
        return undefined;
      }
    })
    .filter((job): job is string => Boolean(job));
  if (jobs.length) spawnSync('scancel', jobs, { stdio: 'ignore' });
}

describe.skipIf(!available)('runs on a single-node SLURM', () => {
  let sandbox: Sandbox;
  beforeAll(() => {
    sandbox = createSandbox('rl-run-slurm-');
  });
  afterAll(async () => {
    cancelJobs(sandbox);
    await sandbox.cleanup();
  });

  const show = (id: string) => cliJson(sandbox, ['show', id, '--json']);
  const statusOf = async (id: string) => (await show(id)).status;
  const untilState = (id: string, state: string, timeoutMs = 30_000) =>
    waitFor(`run ${id} to be ${state}`, async () => ((await statusOf(id)).state === state ? show(id) : null), timeoutMs);

  it('is submitted as a batch job that execs the script, and shows pending, then running on a node', async () => {
    const run = await startRun(sandbox, ['--backend', 'slurm', EXAMPLE, '--', '--steps', '100000000', '--step-time', '0.2']);
    const record = sandbox.record(run.id);
    expect(record).toMatchObject({ backend: 'slurm', slurmJobId: expect.stringMatching(/^\d+$/) });
    // The start returns as soon as sbatch has answered: the job is queued, not yet running.
    expect(['pending', 'running']).toContain(record.status.state);
    const script = readFileSync(path.join(run.dir, 'slurm-job.sh'), 'utf8');
    expect(script).toMatch(/\nexec python3 \S+train\.py --steps 100000000 --step-time 0\.2\n$/);
    const queue = execFileSync('squeue', ['-h', '-j', record.slurmJobId, '-o', '%j'], { encoding: 'utf8' }).trim();
    expect(queue).toBe(`rlrun-${run.id}`);

    const running = await untilState(run.id, 'running');
    expect(running.status.node).toBeTruthy();
    const ls = await sandbox.cli(['ls']);
    expect(ls.stdout).toMatch(new RegExp(`${run.id}\\s+running .*slurm ${record.slurmJobId} on ${running.status.node}`));
    const shown = await sandbox.cli(['show', run.id]);
    expect(shown.stdout).toMatch(new RegExp(`backend\\s+slurm \\(job ${record.slurmJobId}\\)`));
    expect(shown.stdout).toMatch(new RegExp(`node\\s+${running.status.node}`));
    // The script got RL_RUN_DIR on the compute node: it writes its progress.csv there.
    await waitFor('the first line', () => readFileSync(path.join(run.dir, 'stdout.log'), 'utf8').includes('global_step=') || null);
    expect(existsSync(path.join(run.dir, 'progress.csv'))).toBe(true);
    // Its start is when SLURM started it on the node, not when it was queued (duration without queue time).
    const started = sandbox.record(run.id).startedAt;
    expect(Date.parse(started)).toBeGreaterThanOrEqual(Date.parse(record.createdAt) - 1000);
    expect(Date.parse(started)).toBeLessThanOrEqual(Date.now());
  });

  it('shows jobs that wait in the queue as pending, with SLURM reason, from one squeue call, and stops them unrun', async () => {
    const config = sandbox.write('later.config.json', JSON.stringify({ slurm: { extraArgs: ['--begin=now+600'] } }));
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await startRun(sandbox, ['--config', config, '--backend', 'slurm', '--name', `queued${i}`, EXAMPLE]));
    for (const run of runs) {
      await waitFor('SLURM to say why it waits', async () => (await statusOf(run.id)).reason === 'BeginTime' || null);
      expect(await statusOf(run.id)).toEqual({ state: 'pending', reason: 'BeginTime' });
    }
    // `ls` over several live SLURM runs asks squeue once, and nothing else.
    const calls = path.join(sandbox.dir, 'slurm-calls.log');
    const shims = path.join(sandbox.dir, 'shims');
    mkdirSync(shims);
    for (const command of ['squeue', 'sacct', 'scontrol']) {
      const real = execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim();
      sandbox.write(`shims/${command}`, `#!/bin/sh\necho ${command} >> ${calls}\nexec ${real} "$@"\n`);
      chmodSync(path.join(shims, command), 0o755);
    }
    const ls = await sandbox.cli(['ls'], { env: { PATH: `${shims}:${process.env.PATH}` } });
    for (const run of runs) expect(ls.stdout).toMatch(new RegExp(`${run.id}\\s+pending .*slurm \\d+ \\(BeginTime\\)`));
    expect(readFileSync(calls, 'utf8')).toBe('squeue\n');

    const stop = await sandbox.cli(['stop', ...runs.map((run) => run.id)]);
    expect(stop).toMatchObject({ code: 0, stderr: '' });
    for (const run of runs) {
      expect(await statusOf(run.id)).toMatchObject({ state: 'stopped', exitCode: null });
      expect(sandbox.record(run.id).startedAt).toBeUndefined();
      expect(readFileSync(path.join(run.dir, 'stdout.log'), 'utf8')).toBe('');
    }
  });

  it('logs -f follows the files as the job writes them, and ends when the job does', async () => {
    const script = sandbox.write('later.py', 'import time\nprint("first line", flush=True)\ntime.sleep(3)\nprint("a line printed later", flush=True)\n');
    const run = await startRun(sandbox, ['--backend', 'slurm', script]);
    const follower = sandbox.spawnCli(['logs', run.id, '-f']);
    let seen = '';
    follower.stdout?.on('data', (chunk) => {
      seen += chunk;
    });
    const exit = new Promise<number | null>((resolve) => follower.on('close', resolve));
    await waitFor('the first line', () => seen.includes('first line'), 30_000);
    expect(seen).not.toContain('a line printed later');
    await waitFor('the line printed later', () => seen.includes('a line printed later'), 30_000);
    expect(await exit).toBe(0);
    expect(await statusOf(run.id)).toMatchObject({ state: 'succeeded', exitCode: 0 });
  });

  it("records a failing script's exit code, and show gives its stderr", async () => {
    const run = await startRun(sandbox, ['--backend', 'slurm', EXAMPLE, '--', '--steps', '100000', '--step-time', '0', '--fail-at', '4096']);
    const failed = await untilState(run.id, 'failed');
    expect(failed.status).toMatchObject({ state: 'failed', exitCode: 1, signal: null, reason: 'exit code 1' });
    const shown = await sandbox.cli(['show', run.id]);
    expect(shown.stdout).toContain('error: diverged at step 4096');
    // Once ended, the end is in run.json and SLURM is not asked again.
    expect(sandbox.record(run.id).status.state).toBe('failed');
  });

  it('stop sends the script SIGINT and gives it time to checkpoint', async () => {
    const run = await startRun(sandbox, ['--backend', 'slurm', EXAMPLE, '--', '--steps', '100000000', '--step-time', '0.05', '--checkpoint-time', '2']);
    await untilState(run.id, 'running');
    await waitFor('training output', () => readFileSync(path.join(run.dir, 'stdout.log'), 'utf8').includes('global_step=') || null);
    const began = Date.now();
    const stop = await sandbox.cli(['stop', run.id, '--timeout', '30s']);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain(`stopped ${run.id} (exit 0)`);
    expect(Date.now() - began).toBeGreaterThanOrEqual(2_000);
    expect(await statusOf(run.id)).toMatchObject({ state: 'stopped', exitCode: 0 });
    expect(JSON.parse(readFileSync(path.join(run.dir, 'checkpoint.json'), 'utf8')).step).toBeGreaterThan(0);
    expect(readFileSync(path.join(run.dir, 'stdout.log'), 'utf8')).toContain('caught signal 2: saved checkpoint');
  });

  it('scancel after the grace period when the script does not end on SIGINT', async () => {
    const stubborn = sandbox.write('stubborn.py', 'import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nprint("up", flush=True)\ntime.sleep(600)\n');
    const run = await startRun(sandbox, ['--backend', 'slurm', stubborn]);
    await untilState(run.id, 'running');
    await waitFor('the script to be up', () => readFileSync(path.join(run.dir, 'stdout.log'), 'utf8').includes('up') || null);
    const stop = await sandbox.cli(['stop', run.id, '--timeout', '1s']);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain('killed');
    expect(await statusOf(run.id)).toMatchObject({ state: 'stopped' });
  });

  it('lists and compares a SLURM run beside a pm2 run, and restart submits a new job', async () => {
    const pm2Run = await startRun(sandbox, [EXAMPLE, '--name', 'local', '--', '--lr', '3e-4', '--steps', '8192', '--step-time', '0']);
    const slurmRun = await startRun(sandbox, ['--backend', 'slurm', EXAMPLE, '--name', 'cluster', '--', '--lr', '1e-3', '--steps', '8192', '--step-time', '0']);
    await untilState(slurmRun.id, 'succeeded');
    await waitFor('the pm2 run to succeed', () => sandbox.record(pm2Run.id).status.state === 'succeeded');
    const runs = await cliJson<{ id: string; backend: string }[]>(sandbox, ['ls', '--json']);
    const byId = new Map(runs.map((r) => [r.id, r.backend]));
    expect(byId.get(pm2Run.id)).toBe('pm2');
    expect(byId.get(slurmRun.id)).toBe('slurm');
    const ls = await sandbox.cli(['ls']);
    expect(ls.stdout).toMatch(new RegExp(`${pm2Run.id} .* pm2`));

    const compared = await cliJson(sandbox, ['compare', pm2Run.id, slurmRun.id, '--json']);
    expect(compared.differingParams).toContain('lr');
    expect(compared.runs.map((r: { id: string; params: { lr: number } }) => [r.id, r.params.lr])).toEqual([
      [pm2Run.id, 0.0003],
      [slurmRun.id, 0.001],
    ]);
    for (const run of compared.runs) expect(run.metrics['rollout/ep_rew_mean']).toMatchObject({ lastStep: 8192 });

    const restarted = await cliJson<{ id: string; slurmJobId?: string }>(sandbox, ['restart', slurmRun.id, '--json']);
    const record = sandbox.record(restarted.id);
    expect(record).toMatchObject({ backend: 'slurm', restartOf: slurmRun.id });
    // --json carries the backend's handle, as start's does.
    expect(restarted.slurmJobId).toBe(record.slurmJobId);
    expect(record.slurmJobId).not.toBe(sandbox.record(slurmRun.id).slurmJobId);
    await untilState(restarted.id, 'succeeded');
  });

  it('runs the setup lines first, and the script has its RL_RUN_* variables even under --export=NONE', async () => {
    const probe = sandbox.write('probe.py', 'import os\nprint(os.environ.get("FROM_SETUP"), os.environ.get("RL_RUN_ID"), os.environ.get("RL_RUN_DIR"))\n');
    const config = sandbox.write('setup.config.json', JSON.stringify({ slurm: { setup: ['export FROM_SETUP=yes'], extraArgs: ['--export=NONE'] } }));
    const run = await startRun(sandbox, ['--config', config, '--backend', 'slurm', probe]);
    await untilState(run.id, 'succeeded');
    expect(readFileSync(path.join(run.dir, 'stdout.log'), 'utf8')).toBe(`yes ${run.id} ${run.dir}\n`);
  });

  it('marks a run lost when SLURM no longer knows its job', async () => {
    const quick = sandbox.write('quick.py', 'print("done")\n');
    const run = await startRun(sandbox, ['--backend', 'slurm', quick]);
    await untilState(run.id, 'succeeded');
    // The same record, claiming a job id SLURM never had (purged from its memory and logs).
    const id = run.id.replace(/-[0-9a-z]{6}$/, '-zzzzzz');
    mkdirSync(path.join(sandbox.runsDir, id));
    const record = { ...sandbox.record(run.id), id, slurmJobId: '99999999', status: { state: 'running' } };
    writeFileSync(path.join(sandbox.runsDir, id, 'run.json'), JSON.stringify(record));
    expect(await statusOf(id)).toMatchObject({ state: 'lost', reason: expect.stringContaining('SLURM no longer knows job 99999999') });
    expect(sandbox.record(id).status.state).toBe('lost');
  });

  it('passes on SLURM refusing the job, in one line', async () => {
    const config = sandbox.write('bad.config.json', JSON.stringify({ slurm: { partition: 'no-such-partition' } }));
    const result = await sandbox.cli(['start', '--config', config, '--backend', 'slurm', EXAMPLE]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/invalid partition.*slurm\.partition/i);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('clean --orphaned cancels the rlrun-* jobs whose run ended or whose directory is gone, and no other job', async () => {
    const config = sandbox.write('orphans.config.json', JSON.stringify({ slurm: { extraArgs: ['--begin=now+600'] } }));
    const [gone, ended, live] = [
      await startRun(sandbox, ['--config', config, '--backend', 'slurm', '--name', 'orphan-gone', EXAMPLE]),
      await startRun(sandbox, ['--config', config, '--backend', 'slurm', '--name', 'orphan-ended', EXAMPLE]),
      await startRun(sandbox, ['--config', config, '--backend', 'slurm', '--name', 'orphan-live', EXAMPLE]),
    ];
    const jobs = [gone, ended, live].map((run) => sandbox.record(run.id).slurmJobId as string);
    // Another rl-run's job of the same name shape, whose run is not in this runs directory.
    mkdirSync(path.join(sandbox.dir, 'elsewhere'));
    const elsewhere = sandbox.write('elsewhere/slurm-job.sh', '#!/bin/sh\nsleep 600\n');
    const foreign = execFileSync('sbatch', ['--parsable', '--begin=now+600', '-J', `rlrun-${gone.id}`, '-o', '/dev/null', elsewhere], { encoding: 'utf8' }).trim();
    const queued = () => new Set(execFileSync('squeue', ['-h', '-o', '%i'], { encoding: 'utf8' }).split('\n').map((line) => line.trim()));
    try {
      // The run directory deleted by hand; a record that says ended while its job still waits.
      rmSync(gone.dir, { recursive: true });
      const record = sandbox.record(ended.id);
      writeFileSync(path.join(ended.dir, 'run.json'), JSON.stringify({ ...record, status: { state: 'stopped', endedAt: new Date().toISOString(), exitCode: null, signal: null } }));

      const dry = await sandbox.cli(['clean', '--orphaned', '--dry-run']);
      expect(dry.code).toBe(0);
      expect(dry.stdout).toMatch(new RegExp(`scancel\\s+${jobs[0]} \\(${gone.id}\\)\\s+-\\s+its run directory is gone`));
      expect(dry.stdout).toMatch(new RegExp(`scancel\\s+${jobs[1]} \\(${ended.id}\\)\\s+-\\s+its run is stopped`));
      expect(dry.stdout).not.toContain(live.id);
      // As a job id in the scancel column: a bare `toContain('112')` also matched the date 20261127.
      expect(dry.stdout).not.toMatch(new RegExp(`scancel\\s+${foreign}\\b`));
      expect(dry.stdout.match(/^scancel/gm)).toHaveLength(2);
      for (const job of [...jobs, foreign]) expect(queued()).toContain(job);

      const cleaned = await sandbox.cli(['clean', '--orphaned', '--yes', '--json']);
      expect(cleaned.code).toBe(0);
      const done = JSON.parse(cleaned.stdout).done.filter((action: { kind: string }) => action.kind === 'remove-orphan');
      expect(done.map((action: { handle: string }) => action.handle).sort()).toEqual([jobs[0], jobs[1]].sort());
      await waitFor('the orphaned jobs to leave the queue', () => (!queued().has(jobs[0]!) && !queued().has(jobs[1]!)) || null);
      expect(queued()).toContain(jobs[2]);
      expect(queued()).toContain(foreign);
      expect((await statusOf(live.id)).state).toBe('pending');
    } finally {
      spawnSync('scancel', [...jobs, foreign], { stdio: 'ignore' });
    }
  });

  // Issue 14: in this file, so that it never competes with the tests above for the node's CPUs.
  it('resume of a stopped run: a new job for the same run, attempt 2 from the newest checkpoint, the separator before its output', async () => {
    const CKPT = path.join(ROOT, 'examples', 'ckpt_train.py');
    const run = await startRun(sandbox, [
      '--backend', 'slurm', CKPT, '--resume-checkpoint', 'checkpoints/*.pt', '--resume-args=--resume {checkpoint}',
      '--', '--steps', '100000', '--step-time', '0.02', '--ckpt-every', '10',
    ]);
    const stdout = () => readFileSync(path.join(run.dir, 'stdout.log'), 'utf8');
    const first = sandbox.record(run.id).slurmJobId as string;
    // A job left running by a failed assertion would hold a CPU of the node the next tests need.
    try {
      await waitFor('a few checkpoints', () => /^step=3\d /m.test(stdout()), 60_000);
      expect((await sandbox.cli(['stop', run.id])).code).toBe(0);
      expect((await cliJson(sandbox, ['show', run.id, '--json'])).status.state).toBe('stopped');

      const resumed = await sandbox.cli(['resume', run.id]);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stdout).toMatch(new RegExp(`^resumed ${run.id} as attempt 2, from checkpoints/step_\\d+\\.pt`));
      const record = sandbox.record(run.id);
      expect(record.slurmJobId).not.toBe(first);
      expect(record.attempts).toHaveLength(2);
      // The first job's end is written down when the second is submitted (no runner on the node does);
      // SLURM's times are whole seconds, so a short first job may end in the second it started.
      expect(record.attempts[0].endedAt).toEqual(expect.any(String));
      expect(Date.parse(record.attempts[0].endedAt)).toBeGreaterThanOrEqual(Date.parse(record.attempts[0].startedAt));
      expect(record.attempts[1].checkpoint).toMatch(new RegExp(`^${run.dir}/checkpoints/step_\\d+\\.pt$`));
      expect(readFileSync(path.join(run.dir, 'slurm-job.sh'), 'utf8')).toContain(`--resume ${record.attempts[1].checkpoint}`);
      await waitFor('the resumed job to log', () => /resumed from step \d+/.test(stdout()), 60_000);
      const text = stdout();
      expect(text.indexOf('──── rl-run: attempt 2, resumed from checkpoints/')).toBeLessThan(text.indexOf('resumed from step'));
      expect((await sandbox.cli(['stop', run.id])).code).toBe(0);
    } finally {
      spawnSync('scancel', [first, sandbox.record(run.id).slurmJobId].filter(Boolean), { stdio: 'ignore' });
    }
  }, 180_000);

  // Issue 15 on SLURM: no runner on the node, so the end is noticed by whichever command reads the
  // record first (here `ls`), and notified from there, once.
  it('a failed SLURM run is notified once, by the ls that finds its end, to a real webhook', async () => {
    const hook = await webhookServer();
    const project = path.join(sandbox.dir, 'notify');
    mkdirSync(project);
    writeFileSync(path.join(project, 'runs.config.json'), JSON.stringify({ runsDir: './runs', notify: { on: ['failed'], webhook: hook.url('/slurm') } }));
    writeFileSync(path.join(project, 'fail.py'), 'import sys\nprint("step=1 loss=0.5", flush=True)\nprint("CUDA error: out of memory", file=sys.stderr, flush=True)\nsys.exit(3)\n');
    try {
      const started = await sandbox.cli(['start', '--json', '--backend', 'slurm', 'fail.py'], { cwd: project });
      expect(started.code, started.stderr).toBe(0);
      const { id } = JSON.parse(started.stdout) as { id: string };
      // The node's two CPUs may be busy with the other SLURM test files' jobs for a while.
      await waitFor('ls to find the end', async () => (JSON.parse((await sandbox.cli(['ls', '--json'], { cwd: project })).stdout) as { status: { state: string } }[])[0]?.status.state === 'failed', 150_000);
      await waitFor('the POST', () => hook.posts.length > 0, 20_000);
      for (let i = 0; i < 3; i++) expect((await sandbox.cli(['ls'], { cwd: project })).code).toBe(0);
      await waitFor('the record to say it was sent', () => JSON.parse(readFileSync(path.join(project, 'runs', id, 'run.json'), 'utf8')).notified?.length > 0, 20_000);
      expect(hook.posts).toHaveLength(1);
      const { body } = hook.posts[0]!;
      expect(body.run).toMatchObject({ id, status: 'failed', exitCode: 3 });
      expect(body.event.kind).toBe('failed');
      expect(body.tail).toContain('CUDA error: out of memory');
    } finally {
      hook.server.close();
    }
  }, 240_000);

  // Issue 14 with slurm.requeue, for real: a one-minute limit, the warning 50 s before it. The
  // script has no SIGUSR1 handler: it must live on to the limit (the job ends TIMEOUT, not FAILED
  // by the warning), and the next `ls` submits attempt 2 from its newest checkpoint.
  it('a job that hits its time limit is submitted again by the next ls, from its newest checkpoint (slurm.requeue)', async () => {
    const project = path.join(sandbox.dir, 'requeue');
    mkdirSync(project);
    writeFileSync(
      path.join(project, 'runs.config.json'),
      JSON.stringify({
        runsDir: './runs',
        slurm: { time: '1', requeue: true, signal: 'B:USR1@50' },
        resume: { checkpoint: 'checkpoints/*.pt', args: ['--resume', '{checkpoint}'] },
      }),
    );
    const CKPT = path.join(ROOT, 'examples', 'ckpt_train.py');
    const started = await sandbox.cli(['start', '--json', '--backend', 'slurm', CKPT, '--', '--steps', '1000000', '--step-time', '0.05', '--ckpt-every', '20'], { cwd: project });
    expect(started.code, started.stderr).toBe(0);
    const { id } = JSON.parse(started.stdout) as { id: string };
    const dir = path.join(project, 'runs', id);
    const record = () => JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8'));
    const jobs = new Set<string>();
    try {
      jobs.add(record().slurmJobId);
      expect(readFileSync(path.join(dir, 'slurm-job.sh'), 'utf8')).toContain("trap '' USR1");
      let warned = '';
      await waitFor(
        'the job to time out and the next ls to submit attempt 2',
        async () => {
          const ls = await sandbox.cli(['ls', '--json'], { cwd: project });
          if (ls.stderr.includes('hit its time limit')) warned = ls.stderr;
          return record().attempts.length === 2;
        },
        270_000,
      );
      const after = record();
      jobs.add(after.slurmJobId);
      expect(warned).toMatch(new RegExp(`${id} hit its time limit or was preempted: submitted attempt 2, from checkpoints/step_\\d+\\.pt`));
      const [first, second] = after.attempts;
      // It ran to the limit: the warning at 10 s did not end it.
      expect(Date.parse(first.endedAt) - Date.parse(first.startedAt)).toBeGreaterThanOrEqual(55_000);
      expect(second.checkpoint).toMatch(new RegExp(`^${dir}/checkpoints/step_\\d+\\.pt$`));
      await waitFor('attempt 2 to resume', () => /resumed from step \d+/.test(readFileSync(path.join(dir, 'stdout.log'), 'utf8')), 60_000);
      expect((await sandbox.cli(['stop', id], { cwd: project })).code).toBe(0);
    } finally {
      spawnSync('scancel', [...jobs].filter(Boolean), { stdio: 'ignore' });
    }
  }, 400_000);
});

describe('a SLURM start where there is no SLURM', () => {
  let sandbox: Sandbox;
  beforeAll(() => {
    sandbox = createSandbox('rl-run-noslurm-');
  });
  afterAll(() => sandbox.cleanup());

  it('says sbatch is missing, in one line, exit 2, and leaves no run behind', async () => {
    // A PATH with python3 but no SLURM commands.
    const bin = path.join(sandbox.dir, 'bin');
    mkdirSync(bin);
    const python = execFileSync('sh', ['-c', 'command -v python3'], { encoding: 'utf8' }).trim();
    symlinkSync(python, path.join(bin, 'python3'));
    const result = await sandbox.cli(['start', '--backend', 'slurm', EXAMPLE], { env: { PATH: bin } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/sbatch is not installed or not on PATH.*--backend pm2/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(sandbox.runsDir) ? readdirSync(sandbox.runsDir) : []).toEqual([]);
  });
});
