// Reliability cases for files, config and launch inputs (issue 9: items 7, 10, 11, 12). Each attack is
// made for real: real symlinks, real owners (chown to nobody, as root), real modes, a real umask.
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { collectOutput } from '../support/processes.mjs';
import { CLI, endedRecord, oneLine, startJson, waitFor, withSandbox } from './sandbox.mjs';

const NOBODY = 65534;
const OUTSIDE = 'outside bytes\nloss=0.25 step=1\n';
const ENDED = ['succeeded', 'failed', 'stopped', 'lost'];

function relink(file, target) {
  unlinkSync(file);
  symlinkSync(target, file);
}

/** Symlinks planted in run directories: for stop's marker, the runner's appends, and every reader. */
export function symlinkAttacks() {
  return withSandbox(async (sandbox) => {
    const outsides = [];
    const outside = (name) => {
      const file = sandbox.write(name, OUTSIDE);
      outsides.push(file);
      return file;
    };
    let attacks = 0;
    let refusedCleanly = 0;
    let revealed = 0;

    // stop through a stop-requested link
    const long = await startJson(sandbox, [sandbox.write('long.py', 'import time\nwhile True: time.sleep(0.05)\n'), '--name', 'long']);
    await waitFor('running', () => sandbox.record(long.id).status.state === 'running');
    symlinkSync(outside('o-stop'), path.join(long.dir, 'stop-requested'));
    const stop = await sandbox.cli(['stop', long.id, '--timeout', '20s']);
    attacks++;
    if (stop.code === 0) refusedCleanly++;

    // the runner appending its restart separator through stdout.log and stderr.log links
    const go = path.join(sandbox.dir, 'go');
    const project = path.join(sandbox.dir, 'restarting');
    mkdirSync(project);
    writeFileSync(path.join(project, 'runs.config.json'), JSON.stringify({ runsDir: sandbox.runsDir, restart: { maxRestarts: 2, delayMs: 100 } }));
    const waiting = sandbox.write('wait.py', `import os, time\nwhile not os.path.exists(${JSON.stringify(go)}): time.sleep(0.02)\nraise SystemExit(3)\n`);
    const appended = await startJson(sandbox, [waiting, '--name', 'appended'], { cwd: project });
    relink(path.join(appended.dir, 'stdout.log'), outside('o-append-out'));
    relink(path.join(appended.dir, 'stderr.log'), outside('o-append-err'));
    writeFileSync(go, '');
    const ended = await waitFor('the run to end', () => {
      const record = sandbox.record(appended.id);
      return ENDED.includes(record.status.state) ? record : null;
    });
    attacks++;
    if (ended.status.state === 'failed' && /is a symlink/.test(ended.status.reason)) refusedCleanly++;

    // readers of a failed run whose logs lead out
    const failing = await startJson(sandbox, [sandbox.write('fail.py', 'raise SystemExit(1)\n'), '--name', 'failing']);
    await waitFor('failed', () => sandbox.record(failing.id).status.state === 'failed');
    relink(path.join(failing.dir, 'stdout.log'), outside('o-read-out'));
    relink(path.join(failing.dir, 'stderr.log'), outside('o-read-err'));
    for (const args of [['logs'], ['logs', '--stderr'], ['logs', '--all'], ['show'], ['metrics']]) {
      const result = await sandbox.cli([...args, failing.id]);
      attacks++;
      if (/outside bytes|loss/.test(result.stdout + result.stderr)) revealed++;
      // One line per link (metrics reads both logs, so it names both).
      else if (result.stderr.trim().split('\n').every((line) => /is a symlink/.test(line))) refusedCleanly++;
    }

    const changed = outsides.filter((file) => readFileSync(file, 'utf8') !== OUTSIDE).length;
    return {
      ok: changed === 0 && revealed === 0 && refusedCleanly === attacks,
      line: `symlink attacks: ${attacks} (stop-requested, runner appends, logs/show/metrics reads), ${changed} outside files changed, ${revealed} read out, ${refusedCleanly}/${attacks} refused with one line`,
    };
  });
}

/** Hostile names and env keys on every path into a launch: a restart's record, --env, a config's env. */
export function launchInjection() {
  return withSandbox(async (sandbox) => {
    const runsDir = path.join(sandbox.dir, 'a', 'b', 'runs');
    mkdirSync(runsDir, { recursive: true });
    const hostileNames = ['../../escaped', '../x', 'a/b', '.hidden', 'x\ny', 'x;touch pwned'];
    const hostileKeys = ['A;B', 'X\nrm -rf ~', 'A B', '$(id)', '1A', 'A=B'];
    const tries = [];
    let n = 0;
    let records = 0;
    const restartOf = (change) => {
      records++;
      const id = `hostile${n++}-20250101-000000-aaaaaa`;
      mkdirSync(path.join(runsDir, id));
      writeFileSync(path.join(runsDir, id, 'run.json'), JSON.stringify({ ...endedRecord(id, hostname()), ...change }));
      return sandbox.cli(['restart', id, '--runs-dir', runsDir]);
    };
    for (const name of hostileNames) tries.push(await restartOf({ name }));
    for (const key of hostileKeys) tries.push(await restartOf({ env: { [key]: '1' } }));
    for (const key of hostileKeys.filter((k) => !k.includes('='))) tries.push(await sandbox.cli(['start', '--runs-dir', runsDir, '--env', `${key}=1`, '--', 'true']));
    for (const key of hostileKeys) {
      const project = path.join(sandbox.dir, `config-${n++}`);
      mkdirSync(project);
      writeFileSync(path.join(project, 'runs.config.json'), JSON.stringify({ env: { [key]: '1' } }));
      tries.push(await sandbox.cli(['start', '--', 'true'], { cwd: project }));
    }
    const refused = tries.filter((t) => t.code === 2 && oneLine(t.stderr)).length;
    // Nothing but the hostile records themselves in runsDir, and nothing new beside it or above it.
    const madeInside = readdirSync(runsDir).length - records;
    const strays =
      readdirSync(sandbox.dir).filter((name) => /escaped|^x|pwned/.test(name)).length +
      readdirSync(path.join(sandbox.dir, 'a')).filter((name) => name !== 'b').length +
      readdirSync(path.join(sandbox.dir, 'a', 'b')).filter((name) => name !== 'runs').length;
    return {
      ok: refused === tries.length && strays === 0 && madeInside === 0,
      line: `launch injection: ${tries.length} hostile names/env keys (restart records, --env, config env), ${refused} refused (exit 2, one line), ${strays} directories outside the runs directory`,
    };
  });
}

/** Configs dropped by another user above the project, or writable by others: none may run. */
export function configTrust() {
  return withSandbox(async (sandbox) => {
    const marker = path.join(sandbox.dir, 'config-ran');
    const evil = `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport default {};\n`;
    let layouts = 0;
    let ran = 0;
    let told = 0;
    for (const [mode, owner] of [[0o1777, 0], [0o777, 0], [0o775, 0], [0o755, NOBODY]]) {
      const shared = path.join(sandbox.dir, `shared-${layouts}`);
      mkdirSync(path.join(shared, 'project', 'sub'), { recursive: true });
      writeFileSync(path.join(shared, 'runs.config.mjs'), evil);
      chmodSync(shared, mode);
      chownSync(shared, owner, owner);
      const result = await sandbox.cli(['ls'], { cwd: path.join(shared, 'project', 'sub') });
      layouts++;
      if (existsSync(marker)) ran++;
      if (result.code === 0 && /warning: ignoring/.test(result.stderr)) told++;
    }
    for (const [mode, owner] of [[0o644, NOBODY], [0o666, 0], [0o664, 0]]) {
      const project = path.join(sandbox.dir, `own-${layouts}`);
      mkdirSync(project);
      const file = path.join(project, 'runs.config.mjs');
      writeFileSync(file, evil);
      chmodSync(file, mode);
      chownSync(file, owner, owner);
      const result = await sandbox.cli(['ls'], { cwd: project });
      layouts++;
      if (existsSync(marker)) ran++;
      if (result.code === 2 && /refusing to load/.test(result.stderr) && oneLine(result.stderr)) told++;
    }
    return {
      ok: ran === 0 && told === layouts,
      line: `config trust: ${layouts} stranger-writable configs (shared folders 1777/777/775/nobody's, files nobody's/666/664), ${ran} executed, ${told}/${layouts} said so in one line`,
    };
  });
}

/** A start under umask 000 (which the pm2 daemon then inherits): what other users could read. */
export function privateFiles() {
  return withSandbox(async (sandbox) => {
    const child = spawn('sh', ['-c', `umask 000; exec "${process.execPath}" "${CLI}" start --json --env WANDB_API_KEY=secret -- python3 -c "print(1)"`], {
      cwd: sandbox.dir,
      env: sandbox.env,
    });
    const result = await collectOutput(child);
    if (result.code !== 0) throw new Error(`start failed: ${result.stderr}`);
    const run = JSON.parse(result.stdout);
    await waitFor('the run to end', () => ENDED.includes(sandbox.record(run.id).status.state));
    const paths = [sandbox.runsDir, run.dir, ...readdirSync(run.dir).map((name) => path.join(run.dir, name))];
    const open = paths.filter((file) => statSync(file).mode & 0o077).map((file) => path.relative(sandbox.dir, file));
    return {
      ok: open.length === 0,
      line: `private files: under umask 000, ${paths.length - open.length}/${paths.length} of the runs directory, run directory and its files private (0700/0600)${open.length ? `; open: ${open.join(', ')}` : ''}`,
    };
  });
}

export const CASES = [
  ['symlink attacks', symlinkAttacks],
  ['launch injection', launchInjection],
  ['config trust', configTrust],
  ['private files', privateFiles],
];
