import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, type Sandbox, createSandbox, waitFor } from '../helpers/sandbox.js';
import { webhookServer } from '../helpers/webhook.js';
import { isAlive } from '../support/processes.mjs';

const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');

describe('watchdog and notifications', () => {
  let sandbox: Sandbox;
  let hook: Awaited<ReturnType<typeof webhookServer>>;
  beforeAll(async () => {
    sandbox = createSandbox();
    hook = await webhookServer();
  });
  afterAll(async () => {
    hook.server.close();
    await sandbox.cleanup();
  });

  /** A project folder with its own config, sharing the sandbox's runs directory. */
  const project = (name: string, config: Record<string, unknown>) => {
    const dir = path.join(sandbox.dir, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'runs.config.json'), JSON.stringify({ runsDir: '../runs', ...config }));
    return dir;
  };
  const start = async (cwd: string, args: string[]) => {
    const result = await sandbox.cli(['start', '--json', ...args], { cwd });
    if (result.code !== 0) throw new Error(`start failed: ${result.stderr}`);
    return JSON.parse(result.stdout) as { id: string; dir: string };
  };
  /** A run that sleeps, with its runner and script then killed with SIGKILL: lost, for whoever finds it first. */
  const startAndKill = async (cwd: string) => {
    const script = sandbox.write('long.py', 'import time\nprint("up", flush=True)\ntime.sleep(300)\n');
    const started = await start(cwd, [script]);
    const record = await waitFor('the script to run', () => sandbox.record(started.id).pid && sandbox.record(started.id));
    process.kill(record.runner.pid, 'SIGKILL');
    process.kill(record.pid, 'SIGKILL');
    await waitFor('both to be gone', () => !isAlive(record.runner.pid) && !isAlive(record.pid));
    return started;
  };
  const postsTo = (p: string) => hook.posts.filter((post) => post.path === p);
  const ended = (id: string) => waitFor(`run ${id} to end`, () => ['succeeded', 'failed', 'stopped', 'lost'].includes(sandbox.record(id).status.state) && sandbox.record(id));

  it('a run printing loss=nan gets a recorded event and a webhook POST; ls flags it and show lists it', async () => {
    const cwd = project('nan', { watchdog: { nan: true, stall: false }, notify: { on: ['watchdog'], webhook: hook.url('/nan') } });
    const script = sandbox.write('nan.py', 'import sys, time\nprint("step=1 loss=0.5", flush=True)\nprint("boom", file=sys.stderr, flush=True)\ntime.sleep(1)\nprint("step=2 loss=nan", flush=True)\ntime.sleep(120)\n');
    const run = await start(cwd, [script]);
    const [post] = await waitFor('the webhook POST', () => postsTo('/nan').length > 0 && postsTo('/nan'));
    expect(post!.body.event).toMatchObject({ kind: 'nan', detail: 'loss=nan at step 2' });
    expect(post!.body.text).toContain(run.id);
    expect(post!.body.text).toContain('loss=nan');
    expect(post!.body.run).toMatchObject({ id: run.id, status: 'running', dir: run.dir });
    expect(post!.body.tail).toEqual(['boom']);
    const record = sandbox.record(run.id);
    expect(record.events).toEqual([{ at: expect.any(String), kind: 'nan', detail: 'loss=nan at step 2' }]);
    expect(record.notified).toEqual([`watchdog:nan@${record.events[0].at}`]);
    expect((await sandbox.cli(['ls'], { cwd })).stdout).toMatch(new RegExp(`${run.id}\\s+running !nan`));
    expect((await sandbox.cli(['show', run.id], { cwd })).stdout).toMatch(/events:\n {2}\S+ {2}nan {2}loss=nan at step 2/);
    await sandbox.cli(['stop', run.id], { cwd });
  });

  it('a NaN written only to progress.csv is found too', async () => {
    const cwd = project('csv', { watchdog: { stall: false } });
    const script = sandbox.write(
      'csvnan.py',
      'import os, time\nf = open(os.path.join(os.environ["RL_RUN_DIR"], "progress.csv"), "w")\nf.write("time/total_timesteps,train/loss\\n2048,0.5\\n")\nf.flush()\ntime.sleep(2)\nf.write("4096,nan\\n")\nf.flush()\ntime.sleep(120)\n',
    );
    const run = await start(cwd, [script]);
    const record = await waitFor('the event', () => sandbox.record(run.id).events?.length && sandbox.record(run.id));
    expect(record.events).toEqual([{ at: expect.any(String), kind: 'nan', detail: 'train/loss=nan' }]);
    await sandbox.cli(['stop', run.id], { cwd });
  });

  it('a silent sleeping run past a short stall is flagged, and action stop stops it as rl-run stop does', async () => {
    const cwd = project('stall', {});
    const script = sandbox.write('silent.py', 'import time\nprint("starting", flush=True)\ntime.sleep(300)\n');
    const run = await start(cwd, ['--watchdog', 'stall=3s,action=stop', script]);
    const record = await ended(run.id);
    expect(record.status.state).toBe('stopped');
    expect(record.events).toEqual([{ at: expect.any(String), kind: 'stall', detail: expect.stringMatching(/^no new output or metric step for \d+ s \(limit 3 s\)$/) }]);
    expect(existsSync(path.join(run.dir, 'stop-requested'))).toBe(true);
  });

  it('a failed run posts exactly once, however many ls follow; its command gets the RL_RUN_ variables', async () => {
    const envFile = path.join(sandbox.dir, 'command-env.txt');
    const cwd = project('failed', { notify: { on: ['failed'], webhook: hook.url('/failed'), command: `env | grep -E '^RL_RUN_(ID|NAME|DIR|STATUS|EVENT|EXIT_CODE)=' | sort > ${envFile}` } });
    const script = sandbox.write('fail.py', 'import sys\nprint("step=1 loss=0.25", flush=True)\nprint("Traceback: it broke", file=sys.stderr)\nsys.exit(3)\n');
    const run = await start(cwd, [script]);
    const record = await ended(run.id);
    for (let i = 0; i < 3; i++) expect((await sandbox.cli(['ls'], { cwd })).code).toBe(0);
    const [post] = await waitFor('the webhook POST', () => postsTo('/failed').length > 0 && postsTo('/failed'));
    expect(post!.body.run).toMatchObject({ id: run.id, name: 'fail', status: 'failed', exitCode: 3, dir: run.dir });
    expect(post!.body.event.kind).toBe('failed');
    expect(post!.body.lastMetrics).toEqual({ loss: 0.25 });
    expect(post!.body.tail).toEqual(['Traceback: it broke']);
    expect(post!.body.text).toMatch(new RegExp(`run ${run.id} failed \\(exit code 3\\)`));
    const env = await waitFor('the command to run', () => read(envFile).includes('RL_RUN_STATUS') && read(envFile));
    expect(env).toBe(
      [`RL_RUN_DIR=${run.dir}`, 'RL_RUN_EVENT=failed', 'RL_RUN_EXIT_CODE=3', `RL_RUN_ID=${run.id}`, 'RL_RUN_NAME=fail', 'RL_RUN_STATUS=failed', ''].join('\n'),
    );
    await waitFor('the deliverer to finish', () => read(path.join(run.dir, 'runner.log')).includes('notify: sent'));
    expect(sandbox.record(run.id).notified).toEqual([`failed@${record.status.endedAt}`]);
    expect(postsTo('/failed')).toHaveLength(1);
  });

  it('a webhook answering 500 twice is retried and delivered once; the run stays as it ended', async () => {
    hook.failures['/flaky'] = 2;
    const cwd = project('flaky', { notify: { on: ['failed'], webhook: hook.url('/flaky') } });
    const script = sandbox.write('fail2.py', 'import sys\nsys.exit(1)\n');
    const run = await start(cwd, [script]);
    const record = await ended(run.id);
    await waitFor('the third try', () => postsTo('/flaky').length >= 3, 40_000);
    const log = await waitFor('the deliverer to finish', () => read(path.join(run.dir, 'runner.log')).includes('notify: sent') && read(path.join(run.dir, 'runner.log')));
    expect(log.match(/webhook for failed@\S+ failed \(try [12] of 4\): \S+ answered 500/g)).toHaveLength(2);
    expect(postsTo('/flaky')).toHaveLength(3);
    expect(sandbox.record(run.id).status).toEqual(record.status);
  });

  it('a lost run (runner and script killed) is notified once, by the ls that finds it', async () => {
    const cwd = project('lost', { notify: { on: ['lost'], webhook: hook.url('/lost') } });
    const started = await startAndKill(cwd);
    const results = await Promise.all([sandbox.cli(['ls'], { cwd }), sandbox.cli(['ls'], { cwd })]);
    expect(results.map((r) => r.code)).toEqual([0, 0]);
    const lost = sandbox.record(started.id);
    expect(lost.status.state).toBe('lost');
    const [post] = await waitFor('the webhook POST', () => postsTo('/lost').length > 0 && postsTo('/lost'));
    expect(post!.body.event.kind).toBe('lost');
    await waitFor('the deliverer to finish', () => read(path.join(started.dir, 'runner.log')).includes('notify: sent'));
    await sandbox.cli(['ls'], { cwd });
    expect(sandbox.record(started.id).notified).toEqual([`lost@${lost.status.detectedAt}`]);
    expect(postsTo('/lost')).toHaveLength(1);
  });

  it('a lost run found first by clean --orphaned is notified once, by clean', async () => {
    const cwd = project('lost-clean', { notify: { on: ['lost'], webhook: hook.url('/lost-clean') } });
    const started = await startAndKill(cwd);
    const cleaned = await sandbox.cli(['clean', '--orphaned', '--yes'], { cwd });
    expect(cleaned.code).toBe(0);
    const lost = sandbox.record(started.id);
    expect(lost.status.state).toBe('lost');
    await waitFor('the deliverer to finish', () => read(path.join(started.dir, 'runner.log')).includes('notify: sent'));
    for (let i = 0; i < 2; i++) await sandbox.cli(['ls'], { cwd });
    expect(sandbox.record(started.id).notified).toEqual([`lost@${lost.status.detectedAt}`]);
    expect(postsTo('/lost-clean')).toHaveLength(1);
  });

  it('action resume ends the attempt as a crash and the restart policy starts the next one', async () => {
    const cwd = project('resume', { watchdog: { nan: true, stall: false, action: 'resume' }, restart: { maxRestarts: 1, delayMs: 0 } });
    const marker = path.join(sandbox.dir, 'resume-marker');
    // Saves and exits 0 on SIGINT, as a good script does: still the attempt counts as a crash.
    const script = sandbox.write(
      'resume.py',
      `import os, signal, sys, time\nsignal.signal(signal.SIGINT, lambda *a: sys.exit(0))\nif os.path.exists(${JSON.stringify(marker)}):\n    print("step=2 loss=0.1", flush=True)\n    sys.exit(0)\nopen(${JSON.stringify(marker)}, "w").close()\nprint("step=1 loss=nan", flush=True)\ntime.sleep(120)\n`,
    );
    const run = await start(cwd, [script]);
    const record = await ended(run.id);
    expect(record.status.state).toBe('succeeded');
    expect(record.attempts).toHaveLength(2);
    expect(record.attempts[0].exitCode).toBe(0);
    expect(record.events.map((e: { kind: string }) => e.kind)).toEqual(['nan']);
  });

  it('no false alarm on the example script (evaluation and checkpoint pauses) with the default watchdog', async () => {
    const cwd = project('example', { watchdog: {}, notify: { on: ['watchdog', 'succeeded'], webhook: hook.url('/example') } });
    const run = await start(cwd, [EXAMPLE, '--', '--steps', '40960', '--step-time', '0.1']);
    const record = await ended(run.id);
    expect(record.status.state).toBe('succeeded');
    expect(record.config.watchdog).toEqual({ nan: true, stall: 'auto', action: 'notify' });
    expect(record.events ?? []).toEqual([]);
    const [post] = await waitFor('the succeeded POST', () => postsTo('/example').length > 0 && postsTo('/example'));
    expect(post!.body.event.kind).toBe('succeeded');
    expect(postsTo('/example')).toHaveLength(1);
  });

  it.each([
    ['bogus', "cannot read 'bogus'"],
    ['stall=soon', "cannot read 'stall=soon'"],
    ['action=explode', "cannot read 'action=explode'"],
  ])('start --watchdog %s is refused with exit 2 and one line, starting nothing', async (spec, message) => {
    const cwd = project('refused', {});
    const result = await sandbox.cli(['start', '--watchdog', spec, EXAMPLE], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(message);
  });
});
