// Reliability cases for resume: simulated reboots (every process of the sandbox killed with SIGKILL,
// sometimes after a `pm2 kill`) at random moments, including during a checkpoint write and during
// `start`, each followed by `rl-run resurrect`.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { PM2_CLI, ROOT, killWhere, processesWith, sleep, startJson, waitFor, withSandbox } from './sandbox.mjs';

const CKPT = path.join(ROOT, 'examples', 'ckpt_train.py');
const RESUME = ['--resume-checkpoint', 'checkpoints/*.pt', '--resume-args=--resume {checkpoint}'];
// A checkpoint every 40 steps of 10 ms, each write taking 150 ms in 8 chunks: reboots land inside writes.
const TRAIN = ['--steps', '1000000', '--step-time', '0.01', '--ckpt-every', '40', '--ckpt-bytes', '20000', '--ckpt-write-time', '0.15'];

/** A checkpoint file as the example writes it whole: JSON ending with "complete": true. */
function isWhole(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8')).complete === true;
  } catch {
    return false;
  }
}

const writing = (dir) => {
  try {
    return readdirSync(path.join(dir, 'checkpoints')).some((name) => name.endsWith('.tmp'));
  } catch {
    return false;
  }
};

export function reboots(count = 20) {
  return withSandbox(async (sandbox) => {
    const t0 = Date.now();
    const { readRunMetrics } = await import(path.join(ROOT, 'dist', 'metrics', 'read-run.js'));
    const runs = [await startJson(sandbox, [CKPT, '--name', 'a', ...RESUME, '--', ...TRAIN]), await startJson(sandbox, [CKPT, '--name', 'b', ...RESUME, '--', ...TRAIN])];
    let duringWrite = 0;
    let duringStart = 0;
    let pm2Kills = 0;
    let startsLeftNothing = 0;
    let withoutRecord = 0;
    let resumedAttempts = 0;
    let halfWritten = 0;
    const problems = [];
    for (let i = 0; i < count; i++) {
      // A random moment; every third reboot waits for a checkpoint write under way, every fourth comes during a start.
      let starting = null;
      if (i % 4 === 3) {
        starting = sandbox.spawnCli(['start', '--json', CKPT, '--name', `s${i}`, ...RESUME, '--', ...TRAIN]);
        starting.on('error', () => {});
        await sleep(100 + Math.random() * 500);
        duringStart++;
      } else if (i % 3 === 2) {
        await waitFor('a checkpoint write', () => runs.some((run) => writing(run.dir)), 10_000).catch(() => null);
        if (runs.some((run) => writing(run.dir))) duringWrite++;
      } else {
        await sleep(150 + Math.random() * 600);
      }
      if (i % 5 === 4) {
        try {
          execFileSync(process.execPath, [PM2_CLI, 'kill'], { env: sandbox.env, stdio: 'ignore', timeout: 20_000 });
          pm2Kills++;
        } catch {
          // a daemon that was not up: the kill -9 below is the reboot
        }
      }
      await killWhere(`PM2_HOME=${sandbox.pm2Home}\0`);
      if (processesWith(`PM2_HOME=${sandbox.pm2Home}\0`).length) problems.push(`reboot ${i}: processes survived`);
      // A start the reboot cut short left a whole run (its record in, starting or later) or nothing a
      // reader sees: at most a hidden .unfinished- directory. A run directory without its record fails.
      for (const id of readdirSync(sandbox.runsDir)) {
        if (id.startsWith('.')) continue;
        if (!existsSync(path.join(sandbox.runsDir, id, 'run.json'))) {
          withoutRecord++;
          problems.push(`reboot ${i}: ${id} has no run.json`);
        }
        else if (!runs.some((run) => run.id === id) && id.startsWith(`s${i}-`)) runs.push({ id, dir: path.join(sandbox.runsDir, id) });
      }
      if (starting && !readdirSync(sandbox.runsDir).some((id) => id.startsWith(`s${i}-`))) startsLeftNothing++;
      const result = await sandbox.cli(['resurrect', '--json']);
      if (result.code !== 0) problems.push(`reboot ${i}: resurrect exited ${result.code}: ${result.stderr.trim()}`);
      let rows = [];
      try {
        rows = JSON.parse(result.stdout);
      } catch {
        problems.push(`reboot ${i}: resurrect printed no JSON`);
      }
      for (const row of rows.filter((r) => r.action === 'resumed')) {
        resumedAttempts++;
        if (row.checkpoint && !isWhole(path.join(sandbox.runsDir, row.id, row.checkpoint))) halfWritten++;
      }
      for (const row of rows.filter((r) => r.action !== 'resumed' && r.action !== 'left alone')) problems.push(`reboot ${i}: ${row.id} ${row.action}: ${row.why}`);
    }
    // Every run is back up, has logged again, and reads as one curve.
    await waitFor('every run to log after the last resurrect', () => runs.every((run) => sandbox.record(run.id).status.state === 'running'), 20_000).catch(() => null);
    const lost = runs.filter((run) => sandbox.record(run.id).status.state !== 'running');
    let duplicates = 0;
    let backwards = 0;
    let points = 0;
    for (const run of runs) {
      const record = sandbox.record(run.id);
      const { series } = await readRunMetrics(run.dir, path.join(run.dir, 'stdout.log'), { resumed: record.attempts.length > 1 });
      const loss = series.get('loss');
      const steps = loss ? loss.points.map((p) => p.step) : [];
      points += steps.length;
      for (let k = 1; k < steps.length; k++) {
        if (steps[k] === steps[k - 1]) duplicates++;
        if (steps[k] < steps[k - 1]) backwards++;
      }
      // The example itself refuses a checkpoint that is not whole (exit 3): none may have.
      if (record.attempts.some((a) => a.exitCode === 3)) halfWritten++;
    }
    const seconds = ((Date.now() - t0) / 1000).toFixed(0);
    const ok = withoutRecord === 0 && lost.length === 0 && halfWritten === 0 && duplicates === 0 && backwards === 0 && problems.length === 0;
    return {
      ok,
      line:
        `${count} simulated reboots (${duringWrite} during a checkpoint write, ${duringStart} during a start, ${pm2Kills} after pm2 kill) of ${runs.length} runs ` +
        `(${duringStart - startsLeftNothing} starts cut short left a run, ${startsLeftNothing} left none, ${withoutRecord} a directory without its record): ` +
        `${resumedAttempts} resumes, ${lost.length} runs lost for good, ${halfWritten} resumed from a half-written checkpoint, ` +
        `${duplicates} duplicate and ${backwards} backward steps in ${points} curve points, ${seconds} s` +
        (problems.length ? `; problems: ${problems.slice(0, 3).join('; ')}` : '') +
        (lost.length ? `; not running: ${lost.map((r) => `${r.id} (${sandbox.record(r.id).status.state})`).join(', ')}` : ''),
    };
  });
}

export const CASES = [['reboots and resurrect', () => reboots(20)]];
