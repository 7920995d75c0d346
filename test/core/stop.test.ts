import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { processStartTime } from '../../src/process/index.js';
import { collectOutput, killWhere } from '../support/processes.mjs';
import { WITNESS_PY, canReusePids, spawnOnPid } from '../support/pid-reuse.mjs';
import { CLI, PM2_CLI, type Sandbox, createSandbox, isAlive, startRun, waitFor } from '../helpers/sandbox.js';

const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');

/** A script that saves a checkpoint slowly on SIGINT and notes every SIGINT (see the file). */
const SAVER_PY = readFileSync(new URL('../fixtures/scripts/saver.py', import.meta.url), 'utf8');

describe('stop', () => {
  let sandbox: Sandbox;
  const mine: ChildProcess[] = [];
  const markers: string[] = [];
  beforeAll(() => {
    sandbox = createSandbox();
    sandbox.write('saver.py', SAVER_PY);
    sandbox.write('witness.py', WITNESS_PY);
  });
  afterEach(async () => {
    for (const child of mine.splice(0)) child.kill('SIGKILL');
    for (const marker of markers.splice(0)) await killWhere(marker);
  });
  afterAll(() => sandbox.cleanup());

  /** A project folder with its own config, sharing the sandbox's runs directory. */
  const project = (name: string, config: Record<string, unknown>) => {
    const dir = path.join(sandbox.dir, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'runs.config.json'), JSON.stringify({ runsDir: '../runs', ...config }));
    return dir;
  };
  const witness = (log: string, env: NodeJS.ProcessEnv = sandbox.env) => {
    const child = spawn('python3', [path.join(sandbox.dir, 'witness.py'), log], { env, stdio: 'ignore' });
    mine.push(child);
    return child;
  };
  const up = (dir: string) => waitFor('the script to come up', () => read(path.join(dir, 'stdout.log')).includes('up'));

  it('never signals a process that took the pid of the script while the runner waits to restart', async () => {
    expect(canReusePids(), 'needs root to write /proc/sys/kernel/ns_last_pid (CI runs as root)').toBe(true);
    const cwd = project('reuse', { restart: { maxRestarts: 1, delayMs: 600_000 } });
    const crash = sandbox.write('crash.py', 'import sys\nprint("crashing", flush=True)\nsys.exit(1)\n');
    const log = path.join(sandbox.dir, 'reuse-witness.log');
    // On a busy machine another process may take the freed pid first: then try with a new run.
    for (let attempt = 1; ; attempt++) {
      const started = await sandbox.cli(['start', '--json', crash], { cwd });
      const run = JSON.parse(started.stdout);
      const { pid } = await waitFor('the first attempt to end', () => {
        const record = sandbox.record(run.id);
        return record.attempts[0]?.endedAt && !existsSync(`/proc/${record.pid}`) && record;
      });
      const foreign = await spawnOnPid(pid, 'python3', [path.join(sandbox.dir, 'witness.py'), log], { env: sandbox.env });
      if (!foreign && attempt < 5) {
        await sandbox.cli(['stop', run.id], { cwd });
        continue;
      }
      expect(foreign, `could not land a process on pid ${pid}`).not.toBeNull();
      mine.push(foreign!);
      await waitFor('the foreign process to be up', () => read(log).includes('up'));

      const stop = await sandbox.cli(['stop', run.id, '--timeout', '1s'], { cwd });
      expect(stop).toMatchObject({ code: 0 });
      expect(sandbox.record(run.id).status.state).toBe('stopped');
      expect(isAlive(pid)).toBe(true);
      expect(read(log)).toBe('up\n');
      return;
    }
  });

  it('ends the run when it ends, but not processes whose environment only mentions its id', async () => {
    const gate = sandbox.write('gate.py', 'import os, time\nprint("up", flush=True)\nwhile not os.path.exists(os.environ["RL_RUN_DIR"] + "/go"):\n    time.sleep(0.05)\n');
    const run = await startRun(sandbox, [gate]);
    await up(run.dir);
    const base = { ...sandbox.env };
    delete base.RL_RUN_ID;
    const lookalikes = {
      parent: witness(path.join(sandbox.dir, 'parent.log'), { ...base, PARENT_RL_RUN_ID: run.id }),
      other: witness(path.join(sandbox.dir, 'other.log'), { ...base, RL_RUN_ID: `${run.id}-other` }),
      note: witness(path.join(sandbox.dir, 'note.log'), { ...base, NOTE: `RL_RUN_ID=${run.id}` }),
    };
    const member = witness(path.join(sandbox.dir, 'member.log'), { ...base, RL_RUN_ID: run.id });
    for (const name of ['parent', 'other', 'note', 'member']) await waitFor(`${name} up`, () => read(path.join(sandbox.dir, `${name}.log`)).includes('up'));

    writeFileSync(path.join(run.dir, 'go'), '');
    await waitFor('the run to succeed', () => sandbox.record(run.id).status.state === 'succeeded');
    await waitFor('the member to be ended', () => !isAlive(member.pid!));
    for (const [name, child] of Object.entries(lookalikes)) {
      expect(isAlive(child.pid!), name).toBe(true);
      expect(read(path.join(sandbox.dir, `${name}.log`)), name).toBe('up\n');
    }
  });

  it('leaves alone a pm2 daemon started from inside a run, and the runs it holds', async () => {
    const viaStart = path.join(sandbox.dir, 'pm2-via-start');
    const viaPm2 = path.join(sandbox.dir, 'pm2-via-cli');
    markers.push(`PM2_HOME=${viaStart}\0`, `PM2_HOME=${viaPm2}\0`);
    const child = sandbox.write('child.py', 'import time\nprint("up", flush=True)\nwhile True:\n    time.sleep(1)\n');
    // A sweep driver: starts a run of its own with rl-run (a fresh PM2_HOME, so that start spawns
    // the daemon from inside this run) and runs the pm2 CLI directly (a daemon with the run's id).
    const driver = sandbox.write(
      'driver.py',
      [
        'import os, subprocess, sys',
        `node, cli, pm2, child = ${JSON.stringify([process.execPath, CLI, PM2_CLI, child])}`,
        `homes = ${JSON.stringify([viaStart, viaPm2])}`,
        'out = subprocess.run([node, cli, "start", "--json", child], env=dict(os.environ, PM2_HOME=homes[0]), capture_output=True, text=True)',
        'print(out.stdout, out.stderr, flush=True)',
        'subprocess.run([node, pm2, "ping"], env=dict(os.environ, PM2_HOME=homes[1]), capture_output=True)',
        '',
      ].join('\n'),
    );
    const run = await startRun(sandbox, [driver]);
    await waitFor('the driver to end', () => ['succeeded', 'failed'].includes(sandbox.record(run.id).status.state));
    expect(sandbox.record(run.id).status.state).toBe('succeeded');
    const childRun = JSON.parse(read(path.join(run.dir, 'stdout.log')).split('\n\n')[0]!);
    markers.push(`RL_RUN_ID=${childRun.id}\0`);
    const daemons = [viaStart, viaPm2].map((home) => Number(read(path.join(home, 'pm2.pid'))));
    for (const pid of daemons) expect(isAlive(pid), `pm2 daemon ${pid}`).toBe(true);
    // rl-run started its daemon without the run's identity.
    expect(read(`/proc/${daemons[0]}/environ`).split('\0').filter((e) => /^RL_RUN_(ID|DIR|NAME)=/.test(e))).toEqual([]);
    const childRecord = sandbox.record(childRun.id);
    expect(childRecord.status.state).toBe('running');
    expect(isAlive(childRecord.pid)).toBe(true);
    expect(isAlive(childRecord.runner.pid)).toBe(true);
  });

  it('finishes a stop whose command was interrupted (Ctrl-C): the runner sends SIGKILL at the deadline', async () => {
    const stubborn = sandbox.write(
      'stubborn.py',
      'import os, signal, time\ndef note(*_):\n    open(os.environ["RL_RUN_DIR"] + "/sigints", "a").write("x\\n")\nsignal.signal(signal.SIGINT, note)\nprint("up", flush=True)\nwhile True:\n    time.sleep(0.05)\n',
    );
    const run = await startRun(sandbox, [stubborn]);
    await up(run.dir);
    const stop = sandbox.spawnCli(['stop', run.id, '--timeout', '2s']);
    mine.push(stop);
    const stopped = collectOutput(stop);
    await waitFor('the SIGINT', () => read(path.join(run.dir, 'sigints')));
    stop.kill('SIGINT'); // Ctrl-C
    const interrupted = await stopped;
    expect(interrupted.signal).toBe('SIGINT');
    expect(interrupted.stderr).toContain(`the stop goes on without this command: what is left of ${run.id} gets SIGKILL at`);
    const ended = await waitFor('the run to end without its stop command', () => {
      const record = sandbox.record(run.id);
      return record.status.state !== 'running' && record;
    });
    expect(ended.status).toMatchObject({ state: 'stopped', signal: 'SIGKILL' });
    expect(read(path.join(run.dir, 'sigints'))).toBe('x\n');
  });

  it('30 stops at once send one SIGINT, and the checkpoint is saved', async () => {
    const run = await startRun(sandbox, [path.join(sandbox.dir, 'saver.py'), '--', '3']);
    await up(run.dir);
    const stops = await Promise.all(Array.from({ length: 30 }, () => sandbox.cli(['stop', run.id, '--timeout', '40s'])));
    for (const stop of stops) expect(stop, stop.stderr).toMatchObject({ code: 0 });
    expect(read(path.join(run.dir, 'sigints')).trim().split('\n')).toHaveLength(1);
    expect(read(path.join(run.dir, 'checkpoint'))).not.toBe('');
    expect(sandbox.record(run.id).status).toMatchObject({ state: 'stopped', exitCode: 0 });
  }, 120_000);

  it('restart racing stop joins the stop: one SIGINT, and the old run keeps its checkpoint', async () => {
    const run = await startRun(sandbox, [path.join(sandbox.dir, 'saver.py'), '--name', 'race', '--', '2']);
    await up(run.dir);
    const [stop, restart] = await Promise.all([sandbox.cli(['stop', run.id]), sandbox.cli(['restart', run.id, '--json'])]);
    expect(stop.code, stop.stderr).toBe(0);
    expect(restart.code, restart.stderr).toBe(0);
    markers.push(`RL_RUN_ID=${JSON.parse(restart.stdout).id}\0`);
    expect(read(path.join(run.dir, 'sigints')).trim().split('\n')).toHaveLength(1);
    expect(read(path.join(run.dir, 'checkpoint'))).not.toBe('');
    expect(sandbox.record(run.id).status).toMatchObject({ state: 'stopped', exitCode: 0 });
  });

  it('without its runner (kill -9), the stop command itself interrupts the script once and records the end', async () => {
    const run = await startRun(sandbox, [path.join(sandbox.dir, 'saver.py'), '--name', 'orphan', '--', '1']);
    await up(run.dir);
    const { runner, pid } = sandbox.record(run.id);
    markers.push(`RL_RUN_ID=${run.id}\0`);
    process.kill(runner.pid, 'SIGKILL');
    await waitFor('the runner to go', () => !isAlive(runner.pid));
    const stop = await sandbox.cli(['stop', run.id, '--timeout', '30s']);
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toContain(`stopped ${run.id} (exit status unknown: its runner was gone)`);
    expect(read(path.join(run.dir, 'sigints')).trim().split('\n')).toHaveLength(1);
    expect(read(path.join(run.dir, 'checkpoint'))).not.toBe('');
    expect(isAlive(pid)).toBe(false);
    expect(sandbox.record(run.id).status).toMatchObject({ state: 'stopped', signal: null });
  });

  it('stop of a run still starting interrupts it as soon as it is up, without waiting for the grace period', async () => {
    // Holding pm2's connect lock keeps `start` between writing the record and starting the runner.
    const lock = path.join(sandbox.pm2Home, 'rl-run.connect.lock');
    mkdirSync(sandbox.pm2Home, { recursive: true });
    writeFileSync(lock, `${process.pid} ${processStartTime(process.pid)}`);
    const start = sandbox.spawnCli(['start', '--json', path.join(sandbox.dir, 'saver.py'), '--name', 'early']);
    mine.push(start);
    const starting = collectOutput(start);
    const id = await waitFor('the starting record', () => {
      const ids = existsSync(sandbox.runsDir) ? readdirSync(sandbox.runsDir).filter((name) => name.startsWith('early-')) : [];
      return ids[0] && existsSync(path.join(sandbox.runsDir, ids[0], 'run.json')) && sandbox.record(ids[0]).status.state === 'starting' && ids[0];
    });
    const stopping = collectOutput(sandbox.spawnCli(['stop', id, '--timeout', '30s']));
    await waitFor('the stop request', () => existsSync(path.join(sandbox.runsDir, id, 'stop-requested')));
    rmSync(lock);
    const stop = await stopping;
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).not.toContain('killed');
    expect(sandbox.record(id).status).toMatchObject({ state: 'stopped' });
    expect(sandbox.record(id).status.signal).not.toBe('SIGKILL');
    expect((await starting).code).toBe(0);
  });

  it('stop a b c interrupts all three before waiting for any, and --name / --tag pick a sweep', async () => {
    const saver = path.join(sandbox.dir, 'saver.py');
    const runs = await Promise.all(['a', 'b', 'c'].map((name) => startRun(sandbox, [saver, '--name', `par-${name}`, '--', '2'])));
    for (const run of runs) await up(run.dir);
    const stop = await sandbox.cli(['stop', ...runs.map((run) => run.id)]);
    expect(stop.code, stop.stderr).toBe(0);
    for (const run of runs) expect(stop.stdout).toContain(`stopped ${run.id}`);
    const sigints = runs.map((run) => Number(read(path.join(run.dir, 'sigints'))));
    const saved = runs.map((run) => Number(read(path.join(run.dir, 'checkpoint'))));
    expect(Math.max(...sigints)).toBeLessThan(Math.min(...saved));

    const sweep = await Promise.all([1, 2].map(() => startRun(sandbox, [saver, '--name', 'sweep', '--tag', 'lr', '--', '0'])));
    const other = await startRun(sandbox, [saver, '--name', 'other', '--tag', 'keep', '--', '0']);
    for (const run of [...sweep, other]) await up(run.dir);
    const byName = await sandbox.cli(['stop', '--name', 'sweep']);
    expect(byName.code, byName.stderr).toBe(0);
    for (const run of sweep) expect(sandbox.record(run.id).status.state).toBe('stopped');
    expect(sandbox.record(other.id).status.state).toBe('running');
    const byTag = await sandbox.cli(['stop', '--tag', 'keep']);
    expect(byTag.code, byTag.stderr).toBe(0);
    expect(sandbox.record(other.id).status.state).toBe('stopped');
  });

  it('wants runs or --name / --tag, not neither and not both; a filter that matches no live run stops nothing', async () => {
    const none = await sandbox.cli(['stop']);
    expect(none.code).toBe(2);
    expect(none.stderr.trim()).toBe("rl-run: give the runs to stop (id, prefix, name, latest~N), or --name / --tag / --sweep for a sweep's runs");
    const both = await sandbox.cli(['stop', 'latest', '--name', 'sweep']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('not both');
    const nothing = await sandbox.cli(['stop', '--name', 'no-such-sweep']);
    expect(nothing).toMatchObject({ code: 0, stdout: "nothing to stop: no live run named 'no-such-sweep'\n" });
  });

  it('says on a terminal what it waits for', async () => {
    const run = await startRun(sandbox, [path.join(sandbox.dir, 'saver.py'), '--name', 'tty', '--', '2']);
    await up(run.dir);
    // `script` gives the command a pseudo-terminal, as an interactive shell would.
    const command = [process.execPath, CLI, 'stop', run.id, '--timeout', '30s'].map((part) => `'${part}'`).join(' ');
    const result = await collectOutput(spawn('script', ['-qec', command, '/dev/null'], { cwd: sandbox.dir, env: sandbox.env, stdio: ['ignore', 'pipe', 'pipe'] }));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`waiting for ${run.id} to save \\(SIGINT sent \\d+ s ago, SIGKILL in \\d+ s\\)`));
    expect(result.stdout).toContain(`stopped ${run.id}`);
  });
});
