// Reliability cases of sweeps: kill -9 of random cells, then several `sweep resume` at once.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isAlive, waitFor, withSandbox } from './sandbox.mjs';

async function json(sandbox, args) {
  const result = await sandbox.cli(args);
  if (result.code !== 0) throw new Error(`rl-run ${args.join(' ')} failed (${result.code}): ${result.stderr.trim()}`);
  return JSON.parse(result.stdout);
}

/**
 * A 2 × 2 × 2 sweep of long runs; `killed` random cells get kill -9 on runner and script; then
 * `resumers` `sweep resume` run at once. Exactly the killed cells must start again, once each (no
 * duplicate from the concurrent resumes), and a further resume must start nothing.
 */
export async function sweepResumeAfterKills(killed = 3, resumers = 3) {
  return withSandbox(async (sandbox) => {
    sandbox.write('train.py', 'import sys, time\nprint(sys.argv[1:], flush=True)\ntime.sleep(120)\n');
    const made = await json(sandbox, ['sweep', 'train.py', '--grid', 'lr=1,2', '--grid', 'gamma=0.9,0.99', '--seeds', '2', '--json']);
    const cells = made.started.length;
    const victims = [...made.started].sort(() => Math.random() - 0.5).slice(0, killed);
    for (const { runId } of victims) {
      const { runner, pid } = sandbox.record(runId);
      process.kill(runner.pid, 'SIGKILL');
      process.kill(pid, 'SIGKILL');
      await waitFor(`${runId} to die`, () => !isAlive(runner.pid) && !isAlive(pid));
    }
    const t0 = Date.now();
    const results = await Promise.all(Array.from({ length: resumers }, () => json(sandbox, ['sweep', 'resume', made.id, '--json'])));
    const seconds = ((Date.now() - t0) / 1000).toFixed(1);
    const started = results.flatMap((result) => result.started);
    const again = (await json(sandbox, ['sweep', 'resume', made.id, '--json'])).started.length;
    const sweep = JSON.parse(readFileSync(path.join(sandbox.runsDir, '.sweeps', made.id, 'sweep.json'), 'utf8'));
    const victimIds = new Set(victims.map((v) => v.runId));
    const wrongRuns = sweep.cells.filter((cell) => cell.runs.length !== (victimIds.has(cell.runs[0]) ? 2 : 1)).length;
    const status = await json(sandbox, ['sweep', 'status', made.id, '--json']);
    await sandbox.cli(['stop', '--sweep', made.id, '--timeout', '2s']);
    const ok = started.length === killed && wrongRuns === 0 && again === 0 && status.counts.running === cells;
    return {
      ok,
      line: `sweep resume after kill -9: ${cells} cells, ${killed} killed, ${resumers} resumes at once started ${started.length} (${wrongRuns} cells with a wrong number of runs) in ${seconds} s, a further resume started ${again}; ${status.counts.running ?? 0}/${cells} cells running after`,
    };
  });
}

export const CASES = [['sweep resume after kill -9', () => sweepResumeAfterKills()]];
