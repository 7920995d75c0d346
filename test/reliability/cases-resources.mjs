// Reliability case for what `ls` says a run uses: a worker that left the script's process tree
// (double fork, new session: reparented away) still counts for its run, and rl-run's runner never does.
import { readFileSync } from 'node:fs';
import { startJson, waitFor, withSandbox } from './sandbox.mjs';

const MB = 1024 * 1024;

/** The script busy-loops; its worker (forked twice, in a session of its own) holds 200 MB and busy-loops too. */
const DETACHED_PY = `
import os, sys, subprocess
if len(sys.argv) > 1:
    block = b"x" * (200 * 1024 * 1024)
    print("worker holds 200 MB", flush=True)
    while True:
        pass
if os.fork() == 0:
    subprocess.Popen([sys.executable, __file__, "worker"], start_new_session=True)
    os._exit(0)
os.wait()
while True:
    pass
`;

const rssOf = (pid) => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024;

export async function detachedWorker() {
  return withSandbox(async (sandbox) => {
    const run = await startJson(sandbox, [sandbox.write('detached.py', DETACHED_PY)]);
    const list = async () => JSON.parse((await sandbox.cli(['ls', '--json'])).stdout).find((r) => r.id === run.id);
    const seen = await waitFor('ls to count the detached worker', async () => {
      const found = await list();
      return found?.resources?.rssBytes >= 190 * MB && found;
    });
    // Give the runner time for two readings, so CPU is over its last interval rather than the lifetime average.
    const reading = await waitFor('two readings by the runner', async () => {
      const found = await list();
      return found?.resources && Date.now() - Date.parse(sandbox.record(run.id).startedAt) > 7_000 && found;
    }, 20_000);
    const runner = rssOf(sandbox.record(run.id).runner.pid);
    const rss = seen.resources.rssBytes;
    await sandbox.cli(['stop', run.id, '--timeout', '2s']);
    const ok = rss >= 190 * MB && rss < 200 * MB + runner && reading.resources.cpuPercent > 0 && reading.resources.cpuPercent <= 210;
    return {
      ok,
      line: `resources: a double-forked worker in its own session counted: ls ${(rss / MB).toFixed(0)} MB for the run (worker holds 200 MB; the runner's ${(runner / MB).toFixed(0)} MB not counted); CPU of script + worker, both busy: ${reading.resources.cpuPercent}% on ${(await import('node:os')).cpus().length} cores`,
    };
  });
}

export const CASES = [['resources: detached worker counted, runner not', detachedWorker]];
