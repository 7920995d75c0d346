// Reliability cases of the CLI's front door: Ctrl-C sent for real to `rl-run start`.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createSandbox, processesWith, sleep } from './sandbox.mjs';
import { collectOutput } from '../support/processes.mjs';

/**
 * SIGINT to `rl-run start` at moments spread over the start, as a terminal's Ctrl-C does. Every
 * trial must end known: the id printed and the run running, or the run recorded failed with
 * reason 'start interrupted' and no process of it left, or nothing made at all. A run that trains
 * while the CLI said nothing of it (the bug) is counted hidden.
 */
export async function ctrlCDuringStart(trials = 20) {
  const sandbox = createSandbox();
  try {
    const script = sandbox.write('long.py', 'import time\nwhile True:\n    time.sleep(0.1)\n');
    const dirOf = (name) => (existsSync(sandbox.runsDir) ? readdirSync(sandbox.runsDir).find((id) => id.startsWith(`${name}-`)) : undefined);
    // How long a start takes here, so the signals spread over it.
    const t0 = Date.now();
    const warm = await sandbox.cli(['start', script, '--name', 'warmup']);
    if (warm.code !== 0) throw new Error(`warm-up start failed: ${warm.stderr}`);
    const startMs = Date.now() - t0;
    const counts = { started: 0, takenDown: 0, nothing: 0, hidden: 0 };
    const hidden = [];
    for (let i = 0; i < trials; i++) {
      const name = `c${i}`;
      const child = sandbox.spawnCli(['start', script, '--name', name]);
      const output = collectOutput(child);
      await sleep(Math.round((startMs * 1.2 * i) / trials));
      child.kill('SIGINT');
      const { stdout, stderr } = await output;
      const dir = dirOf(name);
      let record = null;
      try {
        record = dir ? JSON.parse(readFileSync(path.join(sandbox.runsDir, dir, 'run.json'), 'utf8')) : null;
      } catch {
        record = null;
      }
      const live = dir ? processesWith(`RL_RUN_ID=${dir}\0`).length : 0;
      if (/^started \S+/m.test(stdout) && record?.status.state === 'running') counts.started++;
      else if (record?.status.state === 'failed' && record.status.reason === 'start interrupted' && live === 0 && /start interrupted/.test(stderr)) counts.takenDown++;
      else if (!dir && live === 0) counts.nothing++;
      else {
        counts.hidden++;
        hidden.push(`${name}: ${record?.status.state ?? 'no record'}, ${live} live, said ${JSON.stringify((stdout + stderr).trim().split('\n').at(-1))}`);
      }
    }
    if (hidden.length) console.error(`Ctrl-C during start: unknown outcomes:\n  ${hidden.join('\n  ')}`);
    return {
      ok: counts.hidden === 0,
      line: `Ctrl-C during start: ${trials} trials over 0-${Math.round(startMs * 1.2)} ms, ${counts.hidden} hidden (${counts.started} started and said so, ${counts.takenDown} taken down and recorded failed, ${counts.nothing} interrupted before anything was made)`,
    };
  } finally {
    await sandbox.cleanup();
  }
}

export const CASES = [['Ctrl-C during start', () => ctrlCDuringStart(Number(process.env.RL_RUN_CTRLC_TRIALS ?? 20))]];
