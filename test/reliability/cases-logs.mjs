// Reliability cases for logs and pm2's own resurrect (issue 10, items 10 and 12).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { CLI, PM2_CLI, isAlive, startJson, waitFor, withSandbox } from './sandbox.mjs';

const files = (run) => ['run.json', 'stdout.log', 'stderr.log'].map((f) => readFileSync(path.join(run.dir, f), 'utf8')).join('\0');

/**
 * `pm2 save` with runs alive, then each run ends its own way (rl-run stop, kill -9 of runner and
 * script, pm2 kill), then `pm2 resurrect` (what `pm2 startup` runs at boot) starts every saved
 * runner again in its old directory. None may touch its run.
 */
export function resurrectCase(runs = 6) {
  return withSandbox(async (sandbox) => {
    const pm2 = (...args) => execFileSync(process.execPath, [PM2_CLI, ...args], { env: sandbox.env, encoding: 'utf8' });
    const script = sandbox.write('loop.py', 'import time\nfor i in range(1000000):\n    print("step", i, flush=True)\n    time.sleep(0.05)\n');
    const started = [];
    for (let i = 0; i < runs; i++) started.push(await startJson(sandbox, [script, '--name', `r${i}`]));
    await waitFor('output', () => started.every((run) => readFileSync(path.join(run.dir, 'stdout.log'), 'utf8').includes('step 2')));
    pm2('save');
    const third = Math.floor(runs / 3);
    for (const run of started.slice(0, third)) await sandbox.cli(['stop', run.id]);
    for (const run of started.slice(third, 2 * third)) {
      const record = sandbox.record(run.id);
      process.kill(record.runner.pid, 'SIGKILL');
      process.kill(record.pid, 'SIGKILL');
    }
    pm2('kill');
    await waitFor('every script and runner to go', () =>
      started.every((run) => {
        const record = sandbox.record(run.id);
        return !isAlive(record.runner.pid) && !isAlive(record.pid);
      }),
    );
    const before = started.map(files);
    pm2('resurrect');
    const entries = () => JSON.parse(pm2('jlist').split('\n').find((line) => line.startsWith('[')) ?? '[]');
    const revived = await waitFor('the revived runners to exit', () => {
      const list = entries();
      return list.length === runs && list.every((e) => e.pm2_env.status === 'stopped') && list;
    });
    const changed = started.filter((run, i) => files(run) !== before[i]).length;
    const refused = started.filter((run) => readFileSync(path.join(run.dir, 'runner.log'), 'utf8').includes(`not starting run ${run.id}`)).length;
    const states = started.map((run) => sandbox.record(run.id).status.state);
    const ok = changed === 0 && refused === runs && revived.length === runs;
    return {
      ok,
      line: `pm2 resurrect: ${revived.length} saved runners revived (runs ${[...new Set(states)].sort().join('/')}), ${refused} refused in runner.log, ${changed} records or logs changed`,
    };
  });
}

/**
 * A tqdm bar redrawn for 100 MB without a newline, under a real run: `logs -n 5` prints the bar's
 * last state and the lines above it; its peak RSS (GNU time) stays that of a small log.
 */
export function progressBarCase(states = 1_000_000) {
  return withSandbox(async (sandbox) => {
    const script = sandbox.write(
      'bar.py',
      `import sys\nfor i in range(3):\n    print(f"epoch {i}", file=sys.stderr)\nfor i in range(1, ${states + 1}):\n    sys.stderr.write("\\r%9d/${states} |%s|" % (i, "#" * 80))\n`,
    );
    const run = await startJson(sandbox, [script]);
    await waitFor('the run to end', () => sandbox.record(run.id).status.state === 'succeeded', 120_000);
    const size = statSync(path.join(run.dir, 'stderr.log')).size;
    const peak = (args) => {
      const result = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, CLI, ...args], { cwd: sandbox.dir, env: sandbox.env, encoding: 'utf8' });
      return { stdout: result.stdout, kb: Number(result.stderr.trim().split('\n').at(-1)) };
    };
    const small = peak(['logs', run.id, '--stderr', '-n', '0', '--runs-dir', sandbox.runsDir]);
    const big = peak(['logs', run.id, '--stderr', '-n', '5', '--runs-dir', sandbox.runsDir]);
    const bar = `${String(states).padStart(9)}/${states} |${'#'.repeat(80)}|`;
    const shown = big.stdout === `epoch 0\nepoch 1\nepoch 2\n${bar}\n`;
    const extraMb = (big.kb - small.kb) / 1024;
    return {
      ok: shown && extraMb < 20,
      line: `logs -n 5 of a ${(size / 1e6).toFixed(0)} MB \\r bar: ${shown ? 'last state and the 3 lines above it' : `WRONG: ${JSON.stringify(big.stdout.slice(0, 200))}`}, peak RSS ${(big.kb / 1024).toFixed(0)} MB (-n 0, reading nothing: ${(small.kb / 1024).toFixed(0)} MB)`,
    };
  });
}

export const CASES = [
  ['pm2 resurrect of ended runs', () => resurrectCase(6)],
  ['logs of a 100 MB progress bar', () => progressBarCase(1_000_000)],
];
