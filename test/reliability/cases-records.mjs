// Records and the registry (issue 9, items 4, 5, 6, 8, 9): each case makes its fault for real.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { collectOutput } from '../support/processes.mjs';
import { fuzzCommands, fullRecord, writeFuzzRegistry } from './record-fuzz.mjs';
import { endedRecord, isAlive, oneLine, processesWith, waitFor, withSandbox } from './sandbox.mjs';

/** Commands are called in-process with the sandbox's environment and folder, as the CLI would run them there. */
async function inSandbox(sandbox, action) {
  const saved = { cwd: process.cwd(), env: { ...process.env } };
  process.chdir(sandbox.dir);
  Object.assign(process.env, { PM2_HOME: sandbox.pm2Home, RL_RUN_NO_USER_CONFIG: '1', NO_COLOR: '1' });
  try {
    return await action();
  } finally {
    process.chdir(saved.cwd);
    for (const key of Object.keys(process.env)) if (!(key in saved.env)) delete process.env[key];
    Object.assign(process.env, saved.env);
  }
}

export function recordFuzz() {
  return withSandbox(async (sandbox) => {
    const registry = writeFuzzRegistry(sandbox.runsDir);
    const result = await inSandbox(sandbox, () => fuzzCommands(sandbox.runsDir, registry));
    // The same registry through the real CLI: exit codes and one-line errors.
    const bad = registry.variants.find((v) => v.field === 'tags' && v.type === 'string').id;
    let cliFailures = 0;
    for (const args of [['ls'], ['ls', '--json'], ['du'], ['clean', '--orphaned', '--dry-run'], ['show', bad], ['stop', bad]]) {
      const run = await sandbox.cli(args);
      const expected = args[0] === 'show' || args[0] === 'stop' ? run.code === 1 && oneLine(run.stderr) : run.code === 0 && !/unexpected error|\n\s+at /.test(run.stderr);
      if (!expected) cliFailures++;
    }
    const { fields, types, commands, crashes, goodMissing, calls } = result;
    return {
      ok: crashes.length === 0 && goodMissing === 0 && cliFailures === 0,
      line: `record fuzz: ${fields} fields × ${types} types (+ one nested 200,000 deep) × ${commands} commands, ${crashes.length} crashes in ${calls} calls, the good runs listed ${goodMissing === 0 ? 'every time' : `all but ${goodMissing} times`}; through the CLI ${cliFailures} of 6 commands misbehaved${crashes.length ? `; first: ${crashes.slice(0, 3).join(' | ')}` : ''}`,
    };
  });
}

/** The CLI, SIGKILLed after 20 s: a hang is counted, not waited out. */
async function guarded(sandbox, args, env = {}) {
  const child = sandbox.spawnCli(args, { timeout: 20_000, killSignal: 'SIGKILL', env: { ...sandbox.env, ...env } });
  const { code, signal, stdout, stderr } = await collectOutput(child);
  return { code, signal, stdout, stderr };
}

const put = (dir, text) => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'run.json'), text);
};

/** Item 8: run.json or the run directory as a FIFO, a link to /dev/zero, an oversized file, a link out. */
export function specialFiles() {
  return withSandbox(async (sandbox) => {
    const good = 'good-20250101-000000-aaaaaa';
    put(path.join(sandbox.runsDir, good), JSON.stringify(endedRecord(good, hostname())));
    const kinds = {
      'FIFO run.json': (dir) => {
        mkdirSync(dir);
        execFileSync('mkfifo', [path.join(dir, 'run.json')]);
      },
      'run.json → /dev/zero': (dir) => {
        mkdirSync(dir);
        symlinkSync('/dev/zero', path.join(dir, 'run.json'));
      },
      '17 MB run.json': (dir) => put(dir, JSON.stringify({ ...fullRecord(path.basename(dir)), config: { blob: 'x'.repeat(17 * 1024 * 1024) } })),
      'linked run directory': (dir) => {
        const elsewhere = path.join(sandbox.dir, 'elsewhere');
        put(elsewhere, JSON.stringify(endedRecord(path.basename(dir), hostname())));
        symlinkSync(elsewhere, dir);
      },
      'FIFO run directory': (dir) => execFileSync('mkfifo', [dir]),
    };
    const ids = Object.keys(kinds).map((_, i) => `bad${i}-20250101-000000-${String(i).padStart(6, '0')}`);
    for (const [i, make] of Object.values(kinds).entries()) make(path.join(sandbox.runsDir, ids[i]));
    const commands = [['ls'], ['ls', '--json'], ['du'], ['clean', '--orphaned', '--dry-run'], ['clean', '--status', 'succeeded', '--dry-run'], ...ids.map((id) => ['show', id])];
    let hangs = 0;
    let crashes = 0;
    for (const args of commands) {
      const result = await guarded(sandbox, args);
      if (result.signal) hangs++;
      else if (args[0] === 'show' ? result.code !== 1 || !oneLine(result.stderr) : result.code !== 0) crashes++;
    }
    const ls = await guarded(sandbox, ['ls', '--json']);
    const listed = ls.signal ? [] : JSON.parse(ls.stdout).map((r) => r.id);
    const damaged = ids.filter((id) => ls.stderr.includes(id)).length;
    return {
      ok: hangs === 0 && crashes === 0 && damaged === ids.length && listed.join() === good,
      line: `special files: ${ids.length} kinds (${Object.keys(kinds).join(', ')}) × ${commands.length} commands, ${hangs} hangs, ${crashes} crashes, ${damaged} of ${ids.length} listed as damaged, the good run ${listed.join() === good ? 'listed' : 'NOT listed'}`,
    };
  });
}

/** A record that says running, whose runner has exited: any reader would repair it to lost. */
function runningWithDeadRunner(id) {
  const dead = spawnSync('true').pid;
  return { ...endedRecord(id, hostname()), status: { state: 'running' }, runner: { pid: dead, startTime: 1 }, pid: dead, pidStartTime: 1 };
}

/** Item 4: a copied run directory and a record whose id leads out are damaged, and nothing is written for them. */
export function foreignRecords() {
  return withSandbox(async (sandbox) => {
    const id = 'ppo-20250101-000000-aaaaaa';
    const original = path.join(sandbox.runsDir, id);
    put(original, JSON.stringify(runningWithDeadRunner(id)));
    cpSync(original, `${original}.bak`, { recursive: true });
    put(original, JSON.stringify(endedRecord(id, hostname())));
    const outside = path.join(sandbox.dir, 'outside');
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'run.json'), 'precious');
    const evil = 'evil-20250101-000000-bbbbbb';
    put(path.join(sandbox.runsDir, evil), JSON.stringify({ ...runningWithDeadRunner(evil), id: '../outside' }));
    // Old enough for clean --orphaned to consider them debris, were they not someone's.
    const old = new Date(Date.now() - 10 * 60_000);
    for (const d of [`${original}.bak`, path.join(sandbox.runsDir, evil)]) {
      for (const name of readdirSync(d)) utimesSync(path.join(d, name), old, old);
      utimesSync(d, old, old);
    }
    const files = [path.join(original, 'run.json'), path.join(`${original}.bak`, 'run.json'), path.join(outside, 'run.json'), path.join(sandbox.runsDir, evil, 'run.json')];
    const before = files.map((file) => readFileSync(file, 'utf8'));
    const commands = [['ls'], ['ls', '--json'], ['du'], ['show', evil], ['show', `${id}.bak`], ['stop', evil], ['clean', '--orphaned', '--yes'], ['clean', '--status', 'succeeded', '--dry-run']];
    let crashes = 0;
    for (const args of commands) {
      const result = await guarded(sandbox, args);
      if (result.signal || !(result.code === 0 || oneLine(result.stderr))) crashes++;
    }
    const changed = files.filter((file, i) => readFileSync(file, 'utf8') !== before[i]).length;
    const ls = await guarded(sandbox, ['ls']);
    const named = [`${id}.bak`, evil].filter((d) => ls.stderr.includes(d)).length;
    const kept = existsSync(`${original}.bak`) && existsSync(path.join(sandbox.runsDir, evil));
    return {
      ok: changed === 0 && crashes === 0 && named === 2 && kept,
      line: `foreign records: a copy (cp -r X X.bak) and an id of '../outside' through ${commands.length} commands: ${changed} of ${files.length} files written (the original's end, the copy, the file outside), ${named} of 2 listed as damaged, ${kept ? 'neither' : 'one'} moved to the trash, ${crashes} crashes`,
    };
  });
}

const WAITER = 'import os, sys, time\nprint("ready", flush=True)\nwhile not os.path.exists(sys.argv[1]):\n    time.sleep(0.05)\nprint("released")\n';

/** Item 5: readers held between their read and their repair while the real runner records the end. */
export function repairRace(trials = 5) {
  return withSandbox(async (sandbox) => {
    const script = sandbox.write('wait.py', WAITER);
    let overwritten = 0;
    for (let trial = 0; trial < trials; trial++) {
      const release = path.join(sandbox.dir, `release${trial}`);
      const started = await sandbox.cli(['start', script, '--name', `race${trial}`, '--json', '--', release]);
      const { id, dir } = JSON.parse(started.stdout);
      await waitFor('the run to be running', () => sandbox.record(id).status.state === 'running');
      const runner = sandbox.record(id).runner.pid;
      const hold = path.join(sandbox.dir, `hold${trial}`);
      mkdirSync(hold);
      const reader = guarded(sandbox, ['ls', '--json', '--name', `race${trial}`], { RL_RUN_TEST_HOLD: hold });
      await waitFor('ls to have read the record', () => readdirSync(hold).some((f) => f.startsWith('after-read.')));
      writeFileSync(release, '');
      await waitFor('the runner to record the end and exit', () => sandbox.record(id).status.state === 'succeeded' && !isAlive(runner));
      writeFileSync(path.join(hold, 'after-read.go'), '');
      await reader;
      if (JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8')).status.state !== 'succeeded') overwritten++;
    }
    return {
      ok: overwritten === 0,
      line: `repair race: ${trials} readers held between reading 'running' and repairing while the real runner recorded the end and exited: ${overwritten} ends overwritten with lost`,
    };
  });
}

/** Item 6: a run folder moved away, and the whole runs directory away, against clean --orphaned. */
export function unreadableFolders() {
  return withSandbox(async (sandbox) => {
    const script = sandbox.write('wait.py', WAITER);
    const release = path.join(sandbox.dir, 'release');
    const started = await sandbox.cli(['start', script, '--name', 'moved', '--json', '--', release]);
    const { id, dir } = JSON.parse(started.stdout);
    await waitFor('the script to print', () => existsSync(path.join(dir, 'stdout.log')) && readFileSync(path.join(dir, 'stdout.log'), 'utf8').includes('ready'));
    const marker = `RL_RUN_ID=${id}\0`;
    await waitFor('runner and script', () => processesWith(marker).length === 2);
    const processes = processesWith(marker);
    const moved = path.join(sandbox.dir, 'moved-away');
    renameSync(dir, moved);
    await sandbox.cli(['clean', '--orphaned', '--yes', '--timeout', '1s']);
    const killedMoved = processes.filter((pid) => !isAlive(pid)).length;
    const away = `${sandbox.runsDir}.away`;
    renameSync(sandbox.runsDir, away);
    await sandbox.cli(['clean', '--orphaned', '--yes', '--timeout', '1s']);
    renameSync(away, sandbox.runsDir);
    const killedAway = processes.filter((pid) => !isAlive(pid)).length - killedMoved;
    writeFileSync(release, '');
    const recorded = await waitFor('the end in the moved folder', () => JSON.parse(readFileSync(path.join(moved, 'run.json'), 'utf8')).status.state === 'succeeded', 15_000).catch(() => false);
    return {
      ok: killedMoved === 0 && killedAway === 0 && recorded,
      line: `unreadable run folders: clean --orphaned --yes with a live run's folder moved away killed ${killedMoved} of ${processes.length} processes, with the runs directory away ${killedAway}; the run's end ${recorded ? 'recorded in the moved folder' : 'NOT recorded'}`,
    };
  });
}

export const CASES = [
  ['record fuzz', recordFuzz],
  ['special files', specialFiles],
  ['foreign records', foreignRecords],
  ['repair race', () => repairRace(5)],
  ['unreadable run folders', unreadableFolders],
];
