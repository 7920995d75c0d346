import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SCRIPTS, createSandbox, pm2, readJson, rlRun, waitFor } from '../lib/sandbox.mjs';
import { summarize } from '../lib/stats.mjs';

const SCRIPT = path.join(SCRIPTS, 'wait_sigint.py');

/**
 * Start and stop, each timed as the whole CLI process a user waits for, against one warm pm2 daemon
 * that both sides share: `rl-run start` (returns once the script is running) vs `pm2 start`; then
 * `rl-run stop` vs `pm2 stop` on a script that exits at once on SIGINT. The script writes the epoch
 * time of its exit, so the stop figure also says how long each CLI took to return after it.
 */
export async function startStop({ reps }) {
  const sandbox = createSandbox('start-stop');
  try {
    const env = sandbox.env();
    const runsDir = path.join(sandbox.dir, 'runs');
    const opts = (n) => ({ env: { ...env, BENCH_TIMES: path.join(sandbox.dir, `exit-${n}`) }, cwd: sandbox.dir });
    const exitTime = (n) => waitFor('the script to record its exit', () => {
      try {
        return Number(readFileSync(path.join(sandbox.dir, `exit-${n}`), 'utf8'));
      } catch {
        return null;
      }
    }, 10_000);

    // Under load python can take a while to start: a SIGINT before its handler is in place would
    // end it without a record of when.
    const ready = (n) => waitFor('the script to be ready', () => existsSync(path.join(sandbox.dir, `exit-${n}.ready`)), 30_000);

    let n = 0;
    const startOurs = async () => {
      const k = n++;
      const launched = Date.now();
      const result = await rlRun(['start', SCRIPT, '--json', '--interpreter', 'python3', '--runs-dir', runsDir, '--name', `s${k}`], opts(k));
      const { id, dir } = JSON.parse(result.stdout);
      // Where the time goes, from the record's own timestamps (ms resolution, wall clock).
      const record = readJson(path.join(dir, 'run.json'));
      const phases = {
        toRecord: Date.parse(record.createdAt) - launched,
        toScript: Date.parse(record.startedAt) - Date.parse(record.createdAt),
        toReturn: launched + result.ms - Date.parse(record.startedAt),
      };
      return { ms: result.ms, id, k, phases };
    };
    const startTheirs = async () => {
      const k = n++;
      const result = await pm2(['start', SCRIPT, '--name', `s${k}`, '--interpreter', 'python3', '--no-autorestart'], opts(k));
      return { ms: result.ms, id: `s${k}`, k };
    };
    const stopOurs = async ({ id, k }) => {
      await ready(k);
      const result = await rlRun(['stop', id, '--runs-dir', runsDir], opts(k));
      return { ms: result.ms, afterExit: Date.now() - (await exitTime(k)) * 1000 };
    };
    const stopTheirs = async ({ id, k }) => {
      await ready(k);
      const result = await pm2(['stop', id], opts(k));
      const after = Date.now() - (await exitTime(k)) * 1000;
      await pm2(['delete', id], opts(k));
      return { ms: result.ms, afterExit: after };
    };

    // Warm the daemon and both code paths; not counted.
    await pm2(['ping'], opts(0));
    await stopOurs(await startOurs());
    await stopTheirs(await startTheirs());

    const s = { startOurs: [], startTheirs: [], stopOurs: [], stopTheirs: [], afterOurs: [], afterTheirs: [], toRecord: [], toScript: [], toReturn: [] };
    for (let rep = 0; rep < reps; rep++) {
      const ours = await startOurs();
      const theirs = await startTheirs();
      s.startOurs.push(ours.ms);
      s.startTheirs.push(theirs.ms);
      for (const [phase, value] of Object.entries(ours.phases)) s[phase].push(value);
      const stoppedOurs = await stopOurs(ours);
      const stoppedTheirs = await stopTheirs(theirs);
      s.stopOurs.push(stoppedOurs.ms);
      s.afterOurs.push(stoppedOurs.afterExit);
      s.stopTheirs.push(stoppedTheirs.ms);
      s.afterTheirs.push(stoppedTheirs.afterExit);
    }
    return Object.fromEntries(Object.entries(s).map(([key, values]) => [key, summarize(values)]));
  } finally {
    await sandbox.cleanup();
  }
}
