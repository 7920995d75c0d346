// Reliability cases for processes and stop: pid reuse made for real, run membership, pm2 started
// from inside a run, and stops that are joined, parallel and carried out by the runner.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { WITNESS_PY, canReusePids, spawnOnPid } from '../support/pid-reuse.mjs';
import { CLI, PM2_CLI, isAlive, killWhere, startJson, waitFor, withSandbox } from './sandbox.mjs';

const read = (file) => (existsSync(file) ? readFileSync(file, 'utf8') : '');

const SAVER_PY = readFileSync(new URL('../fixtures/scripts/saver.py', import.meta.url), 'utf8');

const GATE_PY = 'import os, time\nprint("up", flush=True)\nwhile not os.path.exists(os.environ["RL_RUN_DIR"] + "/go"):\n    time.sleep(0.05)\n';
const QUITTER_PY = 'import signal, sys, time\nsignal.signal(signal.SIGTERM, lambda *_: sys.exit(0))\nopen(sys.argv[1], "w").write("up\\n")\nwhile True:\n    time.sleep(1)\n';

/**
 * A foreign process lands (ns_last_pid) on the pid of one of a run's processes right after it
 * died, while rl-run is still ending the run: during the restart delay before a `stop`, during
 * the runner's end-of-run sweep, and during `clean --orphaned`. It notes every signal it gets.
 */
export async function pidReuse(trials = 20) {
  if (!canReusePids()) return { ok: true, skipped: true, line: 'pid reuse: skipped (needs root to write /proc/sys/kernel/ns_last_pid; CI runs as root)' };
  return withSandbox(async (sandbox) => {
    const project = path.join(sandbox.dir, 'p');
    mkdirSync(project);
    writeFileSync(path.join(project, 'runs.config.json'), JSON.stringify({ runsDir: '../runs', restart: { maxRestarts: 1, delayMs: 600_000 } }));
    const witness = sandbox.write('witness.py', WITNESS_PY);
    const crash = sandbox.write('crash.py', 'import sys\nsys.exit(1)\n');
    const gate = sandbox.write('gate.py', GATE_PY);
    const quitter = sandbox.write('quitter.py', QUITTER_PY);
    // ns_last_pid is one for the machine: one landing at a time.
    let landing = Promise.resolve();
    const land = (pid, log) => {
      const result = landing.then(() => spawnOnPid(pid, 'python3', [witness, log], { env: sandbox.env }));
      landing = result.then(() => undefined, () => undefined);
      return result;
    };
    const foreign = [];
    const judge = async (child, log) => {
      if (!child) return 'missed';
      foreign.push(child);
      await waitFor('the foreign process', () => read(log).includes('up') || !isAlive(child.pid), 10_000);
      return { child, log };
    };

    const duringRestartDelay = async (i) => {
      const run = await startJson(sandbox, [crash], { cwd: project });
      const { pid } = await waitFor('the first attempt to end', () => {
        const record = sandbox.record(run.id);
        return record.attempts[0]?.endedAt && !existsSync(`/proc/${record.pid}`) && record;
      });
      const landed = await judge(await land(pid, path.join(sandbox.dir, `delay-${i}.log`)), path.join(sandbox.dir, `delay-${i}.log`));
      await sandbox.cli(['stop', run.id, '--timeout', '1s'], { cwd: project });
      return landed;
    };
    // Two workers carry the run's id: one leaves on SIGTERM, one ignores it (so the sweep or the
    // clean waits out its grace and then sends SIGKILL); the foreign process takes the first one's pid.
    const duringSweep = (how) => async (i) => {
      const run = await startJson(sandbox, [gate]);
      await waitFor('the script', () => read(path.join(run.dir, 'stdout.log')).includes('up'));
      const env = { ...sandbox.env, RL_RUN_ID: run.id, RL_RUN_DIR: run.dir };
      const upFile = path.join(sandbox.dir, `${how}-${i}.up`);
      const quits = spawn('python3', [quitter, upFile], { env, stdio: 'ignore' });
      const stays = spawn('python3', [witness, path.join(sandbox.dir, `${how}-${i}.stays`)], { env, stdio: 'ignore' });
      foreign.push(stays);
      await waitFor('the workers', () => read(upFile) && read(path.join(sandbox.dir, `${how}-${i}.stays`)).includes('up'));
      const gone = new Promise((resolve) => quits.once('exit', resolve));
      let ending;
      if (how === 'sweep') {
        writeFileSync(path.join(run.dir, 'go'), '');
      } else {
        const record = sandbox.record(run.id);
        process.kill(record.runner.pid, 'SIGKILL');
        process.kill(record.pid, 'SIGKILL');
        await waitFor('runner and script gone', () => !isAlive(record.runner.pid) && !isAlive(record.pid));
        ending = sandbox.cli(['clean', '--orphaned', '--yes', '--timeout', '2s']);
      }
      await gone;
      const log = path.join(sandbox.dir, `${how}-${i}.log`);
      const landed = await judge(await land(quits.pid, log), log);
      await ending;
      await waitFor('the run to end', () => ['succeeded', 'lost', 'failed', 'stopped'].includes(sandbox.record(run.id).status.state));
      await waitFor('the stubborn worker to be killed', () => !isAlive(stays.pid), 10_000);
      return landed;
    };
    const kinds = [duringRestartDelay, duringSweep('sweep'), duringSweep('clean')];
    // A freed pid is sometimes taken by another process on a busy machine before ours lands on it
    // (pids wrap around quickly here): such a trial is a miss, and another is run in its place.
    const landed = [];
    let started = 0;
    let missed = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (landed.length + (started - landed.length - missed) < trials && started < trials * 2) {
          const i = started++;
          const result = await kinds[i % kinds.length](i);
          if (result === 'missed') missed++;
          else landed.push(result);
        }
      }),
    );
    const signalled = landed.filter(({ child, log }) => !isAlive(child.pid) || read(log) !== 'up\n').length;
    for (const child of foreign) child.kill('SIGKILL');
    return {
      ok: signalled === 0 && landed.length >= trials,
      line: `pid reuse: ${signalled} foreign processes signalled in ${landed.length} trials (stop during the restart delay, the runner's end-of-run sweep, clean --orphaned${missed ? `; ${missed} pids taken by others first` : ''})`,
    };
  });
}

/** Look-alikes of a run's processes (the id in another variable, or as a prefix) outlive the run; a member does not. */
export function membership() {
  return withSandbox(async (sandbox) => {
    const witness = sandbox.write('witness.py', WITNESS_PY);
    const run = await startJson(sandbox, [sandbox.write('gate.py', GATE_PY)]);
    await waitFor('the script', () => read(path.join(run.dir, 'stdout.log')).includes('up'));
    const base = { ...sandbox.env };
    delete base.RL_RUN_ID;
    const envs = [{ PARENT_RL_RUN_ID: run.id }, { RL_RUN_ID: `${run.id}-other` }, { NOTE: `RL_RUN_ID=${run.id}` }, { RL_RUN_ID: `x${run.id}` }];
    const lookalikes = envs.map((env, i) => ({ log: path.join(sandbox.dir, `l${i}.log`), child: spawn('python3', [witness, path.join(sandbox.dir, `l${i}.log`)], { env: { ...base, ...env }, stdio: 'ignore' }) }));
    const member = spawn('python3', [witness, path.join(sandbox.dir, 'member.log')], { env: { ...base, RL_RUN_ID: run.id }, stdio: 'ignore' });
    try {
      await waitFor('everyone up', () => [...lookalikes.map((l) => l.log), path.join(sandbox.dir, 'member.log')].every((log) => read(log).includes('up')));
      writeFileSync(path.join(run.dir, 'go'), '');
      await waitFor('the run to end', () => sandbox.record(run.id).status.state === 'succeeded');
      await waitFor('the member to be ended', () => !isAlive(member.pid), 10_000).catch(() => {});
      const survived = lookalikes.filter(({ child, log }) => isAlive(child.pid) && read(log) === 'up\n').length;
      const memberEnded = !isAlive(member.pid);
      return {
        ok: survived === lookalikes.length && memberEnded,
        line: `run membership: ${survived}/${lookalikes.length} look-alike processes untouched when the run ended (PARENT_RL_RUN_ID=<id>, RL_RUN_ID=<id>-other, NOTE=RL_RUN_ID=<id>, RL_RUN_ID=x<id>), member ${memberEnded ? 'ended' : 'LEFT RUNNING'}`,
      };
    } finally {
      for (const { child } of lookalikes) child.kill('SIGKILL');
      member.kill('SIGKILL');
    }
  });
}

/** A sweep driver run under rl-run starts a child run (its start spawns a fresh pm2 daemon) and runs pm2 itself; then it ends. */
export function pm2InsideRun() {
  return withSandbox(async (sandbox) => {
    const homes = [path.join(sandbox.dir, 'pm2-a'), path.join(sandbox.dir, 'pm2-b')];
    const child = sandbox.write('child.py', 'import time\nprint("up", flush=True)\nwhile True:\n    time.sleep(1)\n');
    const driver = sandbox.write(
      'driver.py',
      [
        'import os, subprocess',
        `node, cli, pm2, child = ${JSON.stringify([process.execPath, CLI, PM2_CLI, child])}`,
        `homes = ${JSON.stringify(homes)}`,
        'out = subprocess.run([node, cli, "start", "--json", child], env=dict(os.environ, PM2_HOME=homes[0]), capture_output=True, text=True)',
        'print(out.stdout, flush=True)',
        'subprocess.run([node, pm2, "ping"], env=dict(os.environ, PM2_HOME=homes[1]), capture_output=True)',
        '',
      ].join('\n'),
    );
    let childId = null;
    try {
      const run = await startJson(sandbox, [driver]);
      await waitFor('the driver to end', () => ['succeeded', 'failed'].includes(sandbox.record(run.id).status.state));
      childId = JSON.parse(read(path.join(run.dir, 'stdout.log')).split('\n\n')[0]).id;
      const daemons = homes.filter((home) => isAlive(Number(read(path.join(home, 'pm2.pid'))))).length;
      const record = sandbox.record(childId);
      const childAlive = record.status.state === 'running' && isAlive(record.pid) && isAlive(record.runner.pid);
      return {
        ok: daemons === 2 && childAlive,
        line: `pm2 inside a run: the driver ended; its child run ${childAlive ? 'still running' : 'ENDED'}, ${daemons}/2 pm2 daemons alive (one spawned by rl-run start, one by pm2 itself)`,
      };
    } finally {
      for (const home of homes) await killWhere(`PM2_HOME=${home}\0`);
      if (childId) await killWhere(`RL_RUN_ID=${childId}\0`);
    }
  });
}

/** 30 `rl-run stop` of one run at once, whose script saves for 3 s on SIGINT. */
export function parallelStops(count = 30) {
  return withSandbox(async (sandbox) => {
    const run = await startJson(sandbox, [sandbox.write('saver.py', SAVER_PY), '--', '3']);
    await waitFor('the script', () => read(path.join(run.dir, 'stdout.log')).includes('up'));
    const stops = await Promise.all(Array.from({ length: count }, () => sandbox.cli(['stop', run.id, '--timeout', '60s'])));
    const exited = stops.filter((s) => s.code === 0).length;
    const sigints = read(path.join(run.dir, 'sigints')).trim().split('\n').filter(Boolean).length;
    const saved = read(path.join(run.dir, 'checkpoint')) !== '';
    const { status } = sandbox.record(run.id);
    return {
      ok: exited === count && sigints === 1 && saved && status.state === 'stopped' && status.exitCode === 0,
      line: `parallel stops: ${count} stops of one run, ${sigints} SIGINT reached the script, checkpoint ${saved ? 'saved' : 'LOST'}, ${exited}/${count} exited 0, run ${status.state} (exit ${status.exitCode})`,
    };
  });
}

/** `stop` killed with SIGKILL right after its SIGINT, for runs that ignore SIGINT: the runner still ends them at the deadline. */
export function orphanedStops(runs = 3) {
  return withSandbox(async (sandbox) => {
    const stubborn = sandbox.write(
      'stubborn.py',
      'import os, signal, time\ndef note(*_):\n    open(os.environ["RL_RUN_DIR"] + "/sigints", "a").write("x\\n")\nsignal.signal(signal.SIGINT, note)\nprint("up", flush=True)\nwhile True:\n    time.sleep(0.05)\n',
    );
    const outcomes = await Promise.all(
      Array.from({ length: runs }, async () => {
        const run = await startJson(sandbox, [stubborn]);
        await waitFor('the script', () => read(path.join(run.dir, 'stdout.log')).includes('up'));
        const stop = sandbox.spawnCli(['stop', run.id, '--timeout', '2s']);
        await waitFor('the SIGINT', () => read(path.join(run.dir, 'sigints')));
        stop.kill('SIGKILL');
        const record = await waitFor('the run to end', () => {
          const r = sandbox.record(run.id);
          return r.status.state !== 'running' && r;
        }, 20_000).catch(() => sandbox.record(run.id));
        return { status: record.status, sigints: read(path.join(run.dir, 'sigints')).trim().split('\n').length, alive: isAlive(record.pid) };
      }),
    );
    const ended = outcomes.filter((o) => o.status.state === 'stopped' && o.status.signal === 'SIGKILL' && !o.alive && o.sigints === 1).length;
    return {
      ok: ended === runs,
      line: `stop with its command killed: ${ended}/${runs} runs that ignore SIGINT ended stopped by the runner's SIGKILL at the deadline, one SIGINT each`,
    };
  });
}

/** `stop --tag` of a sweep whose runs save for 2 s each: one grace period in all, not one per run. */
export function sweepStop(runs = 6) {
  return withSandbox(async (sandbox) => {
    const saver = sandbox.write('saver.py', SAVER_PY);
    const started = await Promise.all(Array.from({ length: runs }, (_, i) => startJson(sandbox, [saver, '--name', `s${i}`, '--tag', 'sweep', '--', '2'])));
    for (const run of started) await waitFor('the script', () => read(path.join(run.dir, 'stdout.log')).includes('up'));
    const t0 = Date.now();
    const stop = await sandbox.cli(['stop', '--tag', 'sweep']);
    const seconds = (Date.now() - t0) / 1000;
    const sigints = started.map((run) => Number(read(path.join(run.dir, 'sigints'))));
    const saved = started.map((run) => Number(read(path.join(run.dir, 'checkpoint'))));
    const checkpoints = saved.filter(Boolean).length;
    const overlapped = Math.max(...sigints) < Math.min(...saved);
    return {
      ok: stop.code === 0 && checkpoints === runs && overlapped,
      line: `stop --tag of ${runs} runs saving 2 s each: ${seconds.toFixed(1)} s in all (one at a time: over ${runs * 2} s), every SIGINT sent before the first save ended: ${overlapped ? 'yes' : 'NO'}, ${checkpoints}/${runs} checkpoints`,
    };
  });
}

export const CASES = [
  ['pid reuse', () => pidReuse(20)],
  ['run membership', membership],
  ['pm2 inside a run', pm2InsideRun],
  ['parallel stops', () => parallelStops(30)],
  ['stop with its command killed', () => orphanedStops(3)],
  ['stop of a sweep', () => sweepStop(6)],
];
