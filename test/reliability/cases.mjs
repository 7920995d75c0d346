// The reliability cases. Each makes its faults for real, counts what happened, and returns one line.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statfsSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { PM2_CLI, endedRecord, isAlive, lsJson, oneLine, processesWith, sleep, waitFor, withSandbox } from './sandbox.mjs';

const ENDED = ['succeeded', 'failed', 'stopped', 'lost'];

/** 50 starts at once from 50 processes, with no pm2 daemon up yet: the connect lock decides who starts it. */
export function parallelStarts(count = 50) {
  return withSandbox(async (sandbox) => {
    const quick = sandbox.write('quick.py', 'print("ok")\n');
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: count }, () => sandbox.cli(['start', quick, '--name', 'par', '--json'])));
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const ids = results.filter((r) => r.code === 0).map((r) => JSON.parse(r.stdout).id);
    const distinct = new Set(ids).size;
    const runs = await waitFor('every run to end', async () => {
      const ls = await lsJson(sandbox, ['--name', 'par']);
      return ls.every((r) => ENDED.includes(r.status.state)) && ls;
    }, 60_000);
    const lost = runs.filter((r) => r.status.state === 'lost').length;
    const failed = runs.filter((r) => r.status.state === 'failed').length;
    const daemons = processesWith(`PM2_HOME=${sandbox.pm2Home}\0`).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('God Daemon')).length;
    const errors = results.filter((r) => r.code !== 0).map((r) => r.stderr.trim());
    return {
      ok: distinct === count && lost === 0 && failed === 0 && runs.length === count && daemons <= 1,
      line: `parallel starts: ${distinct}/${count} distinct runs, ${lost} lost, ${failed} failed, ${daemons} pm2 daemon (all ${count} in ${seconds} s)${errors.length ? `; errors: ${errors[0]}` : ''}`,
    };
  });
}

/** `rl-run start` killed with SIGKILL at random instants of its life; nothing may stay running or starting. */
export function killDuringStart(trials = 100, parallel = 5) {
  return withSandbox(async (sandbox) => {
    const quick = sandbox.write('quick.py', 'print("ok")\n');
    // When a start creates its directory and when it returns, measured under the same load as the
    // trials, so the kills spread over the part of its life that writes (before that, node is still
    // loading and nothing can be left behind).
    const timings = await Promise.all(
      Array.from({ length: parallel }, async (_, i) => {
        const t0 = Date.now();
        const run = sandbox.cli(['start', quick, '--name', `warmup${i}`]);
        let dirMs = 0;
        let finished = false;
        run.then(() => {
          finished = true;
        });
        while (!dirMs && !finished) {
          if (existsSync(sandbox.runsDir) && readdirSync(sandbox.runsDir).some((id) => id.replace(/^\.unfinished-/, '').startsWith(`warmup${i}-`))) dirMs = Date.now() - t0;
          await sleep(2);
        }
        await run;
        return { dirMs: dirMs || Date.now() - t0, startMs: Date.now() - t0 };
      }),
    );
    const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const dirMs = median(timings.map((t) => t.dirMs));
    const startMs = median(timings.map((t) => t.startMs));
    let done = 0;
    const trial = async () => {
      const child = sandbox.spawnCli(['start', quick, '--name', 'k9']);
      const closed = new Promise((resolve) => child.once('close', resolve));
      await sleep(dirMs * 0.8 + Math.random() * (startMs * 1.1 - dirMs * 0.8));
      child.kill('SIGKILL');
      await closed;
    };
    while (done < trials) {
      const batch = Math.min(parallel, trials - done);
      await Promise.all(Array.from({ length: batch }, trial));
      done += batch;
    }
    const dirs = () => readdirSync(sandbox.runsDir).filter((id) => id.startsWith('k9-'));
    // Let every runner that did come up finish its (short) script.
    await waitFor('the runs to finish', () => processesWith('RL_RUN_ID=k9-').length === 0, 60_000);
    const runs = await lsJson(sandbox, ['--name', 'k9']);
    const count = (state) => runs.filter((r) => r.status.state === state).length;
    const stuck = runs.filter((r) => !ENDED.includes(r.status.state)).length;
    // A start is published whole (its directory renamed into place with run.json in it): a kill
    // before that leaves at most a hidden .unfinished- directory, never a run without its record.
    const noRecord = dirs().length - runs.length;
    const unfinished = () => readdirSync(sandbox.runsDir).filter((id) => id.startsWith('.unfinished-k9-'));
    const hidden = unfinished().length;
    const nothing = trials - dirs().length - hidden;
    // The leftovers are tidied by clean --orphaned once old enough not to be a start in progress.
    const old = new Date(Date.now() - 10 * 60_000);
    for (const id of unfinished()) {
      const dir = path.join(sandbox.runsDir, id);
      for (const name of readdirSync(dir)) utimesSync(path.join(dir, name), old, old);
      utimesSync(dir, old, old);
    }
    const clean = await sandbox.cli(['clean', '--orphaned', '--yes']);
    const again = await sandbox.cli(['clean', '--orphaned', '--dry-run']);
    const left = again.stdout.trim().endsWith('nothing to clean') ? 0 : again.stdout.split('\n').length - 3;
    if (left !== 0 || clean.code !== 0) {
      console.error(`kill -9 during start: clean said (exit ${clean.code}):\n${clean.stdout}${clean.stderr}\nthen the dry run said (exit ${again.code}):\n${again.stdout}${again.stderr}`);
    }
    return {
      ok: stuck === 0 && noRecord === 0 && clean.code === 0 && left === 0 && unfinished().length === 0,
      line: `kill -9 during start: ${trials} trials, ${stuck} stuck running (${count('succeeded')} succeeded, ${count('lost')} lost, ${count('failed')} failed, ${noRecord} run directories without a record, ${hidden} killed before the run was published, ${nothing} before either; then clean --orphaned left ${left + unfinished().length}; kills spread over ${dirMs}-${Math.round(startMs * 1.1)} ms)`,
    };
  });
}

/** 1000 runs, 100 of them with a damaged run.json of every kind; every command must carry on. */
export function damagedRecords(total = 1000, bad = 100) {
  return withSandbox(async (sandbox) => {
    mkdirSync(sandbox.runsDir);
    const damage = [() => '', (t) => t.slice(0, t.length / 2), () => 'not json', () => '[]', (t) => JSON.stringify({ ...JSON.parse(t), status: 1 })];
    const badIds = [];
    for (let i = 0; i < total; i++) {
      const id = `r${i % 7}-20250101-${String(100000 + i).slice(-6)}-${i.toString(36).padStart(6, '0')}`;
      const dir = path.join(sandbox.runsDir, id);
      mkdirSync(dir);
      let text = JSON.stringify(endedRecord(id, hostname()), null, 2);
      if (i % (total / bad) === 0) {
        text = damage[badIds.length % damage.length](text);
        badIds.push(id);
      } else if (i % 3 === 0) text = JSON.stringify({ ...JSON.parse(text), fromTheFuture: { x: 1 } });
      writeFileSync(path.join(dir, 'run.json'), text);
      writeFileSync(path.join(dir, 'stdout.log'), `run ${i}\n`);
    }
    const started = Date.now();
    const ls = await sandbox.cli(['ls', '--json']);
    const lsMs = Date.now() - started;
    const listed = JSON.parse(ls.stdout).length;
    const warning = ls.stderr.trim().split('\n');
    const named = badIds.filter((id) => warning[0]?.includes(id)).length;
    const commands = [['ls'], ['du'], ['show', 'latest'], ['clean', '--orphaned', '--dry-run'], ['clean', '--status', 'succeeded', '--dry-run'], ['show', badIds[1]], ['logs', 'r1'], ['ls', '--trash']];
    let crashes = 0;
    for (const args of commands) {
      const result = await sandbox.cli(args);
      if (!(result.code === 0 || oneLine(result.stderr)) || /unexpected error/.test(result.stderr)) crashes++;
    }
    return {
      ok: listed === total - bad && warning.length === 1 && named === bad && crashes === 0,
      line: `damaged records: ${bad} of ${total} bad, ${listed} listed, ${named} named in ${warning.length} warning line, ${crashes} crashes in ${commands.length + 1} commands (ls of ${total} in ${lsMs} ms)`,
    };
  });
}

function hashTree(dir) {
  const hash = createHash('sha256');
  const walk = (current, rel) => {
    const stat = lstatSync(current);
    if (stat.isSymbolicLink()) hash.update(`L ${rel}\n`);
    else if (stat.isDirectory()) for (const name of readdirSync(current).sort()) walk(path.join(current, name), `${rel}/${name}`);
    else hash.update(`F ${rel}\n`).update(readFileSync(current));
  };
  walk(dir, '.');
  return hash.digest('hex');
}

/** Every way a clean could reach outside runsDir; each must be refused (or not followed) and the outside left intact. */
export function pathEscapes() {
  return withSandbox(async (sandbox) => {
    const outside = path.join(sandbox.dir, 'outside');
    mkdirSync(path.join(outside, 'nested'), { recursive: true });
    writeFileSync(path.join(outside, 'dataset.bin'), 'precious');
    // Damaged (empty run.json) and old enough for clean --orphaned to consider it.
    writeFileSync(path.join(outside, 'nested', 'run.json'), '');
    const old = new Date(Date.now() - 10 * 60_000);
    utimesSync(path.join(outside, 'nested', 'run.json'), old, old);
    utimesSync(path.join(outside, 'nested'), old, old);
    mkdirSync(sandbox.runsDir);
    const failed = (id, over = {}) => ({ ...endedRecord(id, hostname()), status: { state: 'failed', endedAt: '2025-01-01T00:00:00.000Z', exitCode: 1, signal: null, reason: 'x' }, ...over });
    const put = (id, record) => {
      mkdirSync(path.join(sandbox.runsDir, id));
      writeFileSync(path.join(sandbox.runsDir, id, 'run.json'), JSON.stringify(record));
    };
    const cases = [];
    // 1. a run directory that is a symlink leading out, with a failed record in it
    writeFileSync(path.join(outside, 'run.json'), JSON.stringify(failed('linked-20250101-000000-aaaaaa')));
    symlinkSync(outside, path.join(sandbox.runsDir, 'linked-20250101-000000-aaaaaa'));
    // 2. a record that names another place
    put('pointing-20250101-000000-bbbbbb', failed('../outside'));
    // 3. a name with '..'
    put('a..b-20250101-000000-cccccc', failed('a..b-20250101-000000-cccccc'));
    // 4. a damaged directory (no run.json) that is a symlink leading out, old enough for clean --orphaned
    symlinkSync(path.join(outside, 'nested'), path.join(sandbox.runsDir, 'damaged-20250101-000000-dddddd'));
    // 5. a symlink inside a run, to a file outside: the purge of that run must not follow it
    put('inner-20250101-000000-eeeeee', failed('inner-20250101-000000-eeeeee'));
    symlinkSync(path.join(outside, 'dataset.bin'), path.join(sandbox.runsDir, 'inner-20250101-000000-eeeeee', 'data'));
    symlinkSync(outside, path.join(sandbox.runsDir, 'inner-20250101-000000-eeeeee', 'dir'));
    const before = hashTree(outside);

    const clean = await sandbox.cli(['clean', '--status', 'failed', '--yes']);
    // A linked run directory and a record naming another run are damaged (issue 9, items 4 and 8): never candidates, left in place.
    cases.push(!clean.stdout.includes('linked-20250101-000000-aaaaaa') && lstatSync(path.join(sandbox.runsDir, 'linked-20250101-000000-aaaaaa')).isSymbolicLink());
    cases.push(!clean.stdout.includes('pointing-20250101-000000-bbbbbb') && existsSync(path.join(sandbox.runsDir, 'pointing-20250101-000000-bbbbbb')));
    cases.push(/refused\s+a\.\.b-20250101-000000-cccccc\s/.test(clean.stdout) && existsSync(path.join(sandbox.runsDir, 'a..b-20250101-000000-cccccc')));
    const purge = await sandbox.cli(['clean', '--purge', '--yes']);
    cases.push(purge.code === 0 && !existsSync(path.join(sandbox.runsDir, '.trash', 'inner-20250101-000000-eeeeee')) && readFileSync(path.join(outside, 'dataset.bin'), 'utf8') === 'precious');
    const orphans = await sandbox.cli(['clean', '--orphaned', '--yes']);
    cases.push(/refused\s+damaged-20250101-000000-dddddd\s/.test(orphans.stdout) && existsSync(path.join(outside, 'nested', 'run.json')));
    // 6. restore with a path in it
    const restore = await sandbox.cli(['restore', '../outside']);
    cases.push(restore.code === 2 && oneLine(restore.stderr));
    // 7. a trash that is itself a symlink leading out
    const other = path.join(sandbox.dir, 'runs2');
    mkdirSync(other);
    mkdirSync(path.join(other, 'ok-20250101-000000-ffffff'));
    writeFileSync(path.join(other, 'ok-20250101-000000-ffffff', 'run.json'), JSON.stringify(failed('ok-20250101-000000-ffffff')));
    symlinkSync(outside, path.join(other, '.trash'));
    const trashOut = await sandbox.cli(['clean', '--status', 'failed', '--yes', '--runs-dir', other]);
    cases.push(trashOut.code === 1 && oneLine(trashOut.stderr) && existsSync(path.join(other, 'ok-20250101-000000-ffffff')));

    const refused = cases.filter(Boolean).length;
    const intact = hashTree(outside) === before;
    return {
      ok: refused === cases.length && intact,
      line: `path escapes refused: ${refused}/${cases.length}, files outside ${intact ? 'intact' : 'CHANGED'}`,
    };
  });
}

/** Environment workers left alive by a run whose runner and script died with SIGKILL; two ignore SIGTERM. */
export function orphanWorkers() {
  return withSandbox(async (sandbox) => {
    const script = sandbox.write(
      'forker.py',
      [
        'import os, signal, time',
        'for stubborn in (False, False, True, True):',
        '    if os.fork() == 0:',
        '        if stubborn: signal.signal(signal.SIGTERM, signal.SIG_IGN)',
        '        while True: time.sleep(1)',
        'print("forked", flush=True)',
        'while True: time.sleep(1)',
        '',
      ].join('\n'),
    );
    const start = await sandbox.cli(['start', script, '--json']);
    const { id, dir } = JSON.parse(start.stdout);
    await waitFor('the workers', () => readFileSync(path.join(dir, 'stdout.log'), 'utf8').includes('forked') && processesWith(`RL_RUN_ID=${id}\0`).length === 6);
    const record = sandbox.record(id);
    process.kill(record.runner.pid, 'SIGKILL');
    process.kill(record.pid, 'SIGKILL');
    await waitFor('runner and script gone', () => !isAlive(record.runner.pid) && !isAlive(record.pid));
    const orphans = processesWith(`RL_RUN_ID=${id}\0`);
    const started = Date.now();
    const clean = await sandbox.cli(['clean', '--orphaned', '--yes', '--timeout', '2s']);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const left = orphans.filter(isAlive).length;
    const state = sandbox.record(id).status.state;
    return {
      ok: orphans.length === 4 && left === 0 && clean.code === 0 && state === 'lost',
      line: `orphan workers killed: ${orphans.length - left}/${orphans.length} (2 ignored SIGTERM; clean took ${seconds} s with a 2 s grace), record marked ${state}`,
    };
  });
}

/** runsDir on a 1 MB tmpfs, filled: start and clean fail with one line, ls and du work, no record changes. */
export function diskFull() {
  return withSandbox(async (sandbox) => {
    mkdirSync(sandbox.runsDir);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=700', 'tmpfs', sandbox.runsDir], { stdio: 'ignore' });
    } catch {
      return { ok: true, skipped: true, line: 'disk full: skipped (cannot mount a tmpfs here; CI runs as root)' };
    }
    try {
      const quick = sandbox.write('quick.py', 'print("ok")\n');
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push(JSON.parse((await sandbox.cli(['start', quick, '--json'])).stdout).id);
      await waitFor('the runs to end', () => ids.every((id) => sandbox.record(id).status.state === 'succeeded'));
      await waitFor('pm2 to let go of the runs', () => processesWith('RL_RUN_ID=quick-').length === 0);
      const files = ids.flatMap((id) => ['run.json', 'stdout.log', 'stderr.log'].map((f) => path.join(sandbox.runsDir, id, f)));
      const before = files.map((f) => readFileSync(f, 'utf8'));
      const results = {};
      for (const leave of [4096, 0]) {
        const { bavail, bsize } = statfsSync(sandbox.runsDir);
        if (bavail * bsize > leave) writeFileSync(path.join(sandbox.runsDir, `.filler-${leave}`), Buffer.alloc(bavail * bsize - leave));
        results[`start (${leave} B free)`] = await sandbox.cli(['start', quick]);
      }
      results.clean = await sandbox.cli(['clean', '--status', 'succeeded', '--yes']);
      results.purge = await sandbox.cli(['clean', '--purge', '--yes']);
      const ls = await sandbox.cli(['ls']);
      const du = await sandbox.cli(['du']);
      const clearFailures = Object.values(results).filter((r) => r.code === 0 || (r.code === 1 && oneLine(r.stderr))).length;
      const damaged = files.filter((f, i) => readFileSync(f, 'utf8') !== before[i]).length;
      return {
        ok: clearFailures === Object.keys(results).length && results.clean.code === 1 && ls.code === 0 && du.code === 0 && damaged === 0,
        line: `disk full: ${damaged} records damaged; start ×2 and clean failed with one line (${results.clean.stderr.trim().replace(/^rl-run: /, '')}), ls and du worked`,
      };
    } finally {
      await sandbox.cleanup().catch(() => {});
      execFileSync('umount', [sandbox.runsDir]);
    }
  });
}

/** pm2 kill, and kill -9 of runners, while runs are running: each run ends lost or failed with the signal, logs intact, next start works. */
export function supervisorDeaths(runs = 3) {
  return withSandbox(async (sandbox) => {
    const script = sandbox.write('loop.py', 'import time\nfor i in range(100000):\n    print("step", i, flush=True)\n    time.sleep(0.05)\n');
    const start = async () => {
      const result = await sandbox.cli(['start', script, '--json']);
      if (result.code !== 0) throw new Error(`start failed (${result.code}): ${result.stderr.trim()}`);
      return JSON.parse(result.stdout);
    };
    const printed = (run) => readFileSync(path.join(run.dir, 'stdout.log'), 'utf8').includes('step 3');
    const outcome = async (started, kill) => {
      await waitFor('output', () => started.every(printed));
      const logs = started.map((run) => readFileSync(path.join(run.dir, 'stdout.log'), 'utf8'));
      kill(started);
      const states = await waitFor('every run to end', async () => {
        const ls = await lsJson(sandbox);
        const mine = started.map((run) => ls.find((r) => r.id === run.id)?.status);
        return mine.every((s) => s && ENDED.includes(s.state)) && mine;
      });
      const intact = started.filter((run, i) => readFileSync(path.join(run.dir, 'stdout.log'), 'utf8').startsWith(logs[i])).length;
      const accounted = states.filter((s) => s.state === 'lost' || (s.state === 'failed' && s.signal)).length;
      return { accounted, intact, states: states.map((s) => s.state) };
    };
    const pm2Kill = await outcome(await Promise.all(Array.from({ length: runs }, start)), () =>
      execFileSync(process.execPath, [PM2_CLI, 'kill'], { env: sandbox.env, stdio: 'ignore' }),
    );
    const runnerKill = await outcome(await Promise.all(Array.from({ length: runs }, start)), (started) => {
      for (const run of started) {
        const record = sandbox.record(run.id);
        process.kill(record.runner.pid, 'SIGKILL');
        process.kill(record.pid, 'SIGKILL');
      }
    });
    const quick = sandbox.write('quick.py', 'print("ok")\n');
    const next = JSON.parse((await sandbox.cli(['start', quick, '--json'])).stdout);
    const nextOk = await waitFor('the next run to succeed', () => sandbox.record(next.id).status.state === 'succeeded').catch(() => false);
    const total = runs * 2;
    const accounted = pm2Kill.accounted + runnerKill.accounted;
    const intact = pm2Kill.intact + runnerKill.intact;
    return {
      ok: accounted === total && intact === total && Boolean(nextOk),
      line: `pm2 kill / kill -9 of runners: ${accounted}/${total} runs lost or failed with the signal (pm2 kill: ${pm2Kill.states.join(', ')}; kill -9: ${runnerKill.states.join(', ')}), ${intact}/${total} logs intact, next start ${nextOk ? 'worked' : 'FAILED'}`,
    };
  });
}
