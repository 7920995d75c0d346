import { spawn } from 'node:child_process';
import path from 'node:path';
import { cliPath, SCRIPTS, createSandbox, rlRun } from '../lib/sandbox.mjs';
import { summarize } from '../lib/stats.mjs';

const SCRIPT = path.join(SCRIPTS, 'print_later.py');

/**
 * First line visible: the script prints one line carrying the epoch time it printed it; a running
 * `rl-run logs <run> -f` shows it. The figure is the time from the print to the line on our side of
 * the follower's stdout pipe.
 */
export async function firstLine({ reps }) {
  const sandbox = createSandbox('first-line');
  try {
    const env = { ...sandbox.env(), BENCH_DELAY: '1.0' };
    const runsDir = path.join(sandbox.dir, 'runs');
    const samples = [];
    for (let rep = 0; rep < reps; rep++) {
      const started = await rlRun(['start', SCRIPT, '--json', '--interpreter', 'python3', '--runs-dir', runsDir, '--name', `f${rep}`], { env, cwd: sandbox.dir });
      const { id } = JSON.parse(started.stdout);
      const follower = spawn(process.execPath, [cliPath(), 'logs', id, '-f', '--runs-dir', runsDir], { env, cwd: sandbox.dir, stdio: ['ignore', 'pipe', 'inherit'] });
      const latency = await new Promise((resolve, reject) => {
        let text = '';
        const timer = setTimeout(() => reject(new Error('logs -f showed nothing within 10 s')), 10_000);
        follower.stdout.on('data', (chunk) => {
          const seen = Date.now();
          text += chunk;
          const match = /first-line (\d+\.\d+)/.exec(text);
          if (match) {
            clearTimeout(timer);
            resolve(seen - Number(match[1]) * 1000);
          }
        });
      });
      samples.push(latency);
      follower.kill('SIGINT');
      await rlRun(['stop', id, '--runs-dir', runsDir], { env, cwd: sandbox.dir });
    }
    return summarize(samples);
  } finally {
    await sandbox.cleanup();
  }
}
