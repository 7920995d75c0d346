import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, cliJson, createSandbox, startRun, waitFor } from '../helpers/sandbox.js';

const MB = 1024 * 1024;

/** The script starts a worker process (multiprocessing) that holds 300 MB, as an environment worker would. */
const WORKER_PY = `
import multiprocessing, time
def worker():
    block = b"x" * (300 * 1024 * 1024)
    print("allocated", flush=True)
    time.sleep(600)
if __name__ == "__main__":
    multiprocessing.set_start_method("spawn")
    p = multiprocessing.Process(target=worker, daemon=True)
    p.start()
    print("worker", p.pid, flush=True)
    p.join()
`;
const BUSY_PY = 'print("spinning", flush=True)\nwhile True:\n    pass\n';
const IDLE_PY = 'import time\nprint("idle", flush=True)\ntime.sleep(600)\n';

/** VmRSS of a process, read the way the test can trust: straight from /proc. */
const rssOf = (pid: number) => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024;

describe('resources per run', () => {
  let sandbox: Sandbox;
  const ls = () => cliJson<any[]>(sandbox, ['ls', '--json']);
  const entry = async (id: string) => (await ls()).find((run) => run.id === id);
  beforeAll(() => {
    sandbox = createSandbox();
  });
  afterAll(() => sandbox.cleanup());

  it("ls counts a child worker's 300 MB for its run, and show keeps the peak the runner saw", async () => {
    const run = await startRun(sandbox, [sandbox.write('worker.py', WORKER_PY)]);
    const seen = await waitFor('ls to show the worker memory', async () => {
      const found = await entry(run.id);
      return found?.resources?.rssBytes >= 250 * MB && found;
    }, 40_000);
    expect(seen.resources.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(seen.resources.gpus).toEqual([]);
    const live = await sandbox.cli(['show', run.id]);
    expect(live.stdout).toMatch(/^memory\s+\d+ MB RSS now$/m);
    // The runner's own readings keep the largest RSS seen, so it outlives the run.
    const reading = path.join(sandbox.runsDir, run.id, 'resources.json');
    await waitFor("the runner's reading of the worker", () => existsSync(reading) && JSON.parse(readFileSync(reading, 'utf8')).peakRssBytes >= 250 * MB, 20_000);
    expect((await sandbox.cli(['stop', run.id])).code).toBe(0);
    const ended = await cliJson(sandbox, ['show', run.id, '--json']);
    expect(ended.resources).toBeUndefined();
    expect(ended.peakRssBytes).toBeGreaterThanOrEqual(250 * MB);
    expect((await sandbox.cli(['show', run.id])).stdout).toMatch(/^peak memory\s+\d+ MB RSS$/m);
  });

  it("does not count rl-run's runner, and a busy loop shows about one core while an idle script shows none", async () => {
    const idle = await startRun(sandbox, [sandbox.write('idle.py', IDLE_PY)]);
    const busy = await startRun(sandbox, [sandbox.write('busy.py', BUSY_PY)]);
    const idleSeen = await waitFor('the idle run to be measured at rest', async () => {
      const found = await entry(idle.id);
      return found?.resources && found.resources.cpuPercent < 5 && found;
    }, 40_000);
    const runner = sandbox.record(idle.id).runner.pid as number;
    // The runner (node) holds several times what a sleeping python does: counted, it would dominate.
    expect(idleSeen.resources.rssBytes).toBeGreaterThan(0);
    expect(idleSeen.resources.rssBytes).toBeLessThan(rssOf(runner));
    const busySeen = await waitFor('the busy run to be measured', async () => {
      const found = await entry(busy.id);
      return found?.resources && found.resources.cpuPercent >= 30 && found;
    }, 40_000);
    // One thread cannot use more than one core (a little over 100 from rounding of clock ticks).
    expect(busySeen.resources.cpuPercent).toBeLessThanOrEqual(110);

    const table = await sandbox.cli(['ls']);
    expect(table.stdout.split('\n')[0]).toMatch(/\bCPU\s+MEM\b/);
    expect(table.stdout.split('\n').find((line) => line.startsWith(busy.id))).toMatch(/\b\d+%\s+\d+(\.\d)? MB\b/);

    // The peak is what the runner's readings saw (every few seconds): wait for its first before ending the run.
    await waitFor("the runner's first reading", () => existsSync(path.join(sandbox.runsDir, busy.id, 'resources.json')), 20_000);
    expect((await sandbox.cli(['stop', busy.id])).code).toBe(0);
    const ended = await entry(busy.id);
    expect(ended.status.state).not.toBe('running');
    expect(ended.resources).toBeUndefined();
    expect(ended.progress).toBeUndefined();
    const after = (await sandbox.cli(['ls'])).stdout.split('\n');
    const endedLine = after.find((line) => line.startsWith(busy.id))!;
    expect(endedLine).not.toMatch(/%|MB/);
    expect(after.find((line) => line.startsWith(idle.id))).toMatch(/\b\d+%\s+\d+(\.\d)? MB\b/);
    // What the runner saw stays: an ended run still shows its peak, and nothing live.
    const shown = (await sandbox.cli(['show', busy.id])).stdout;
    expect(shown).toMatch(/^peak memory\s+\d+(\.\d)? MB RSS$/m);
    expect(shown).not.toMatch(/^(cpu|memory)\s/m);
  });

  it("progress.total in the config names the run's argument that holds its total steps", async () => {
    const project = `${sandbox.dir}/project`;
    mkdirSync(project);
    writeFileSync(`${project}/runs.config.json`, JSON.stringify({ runsDir: '../runs', progress: { total: '{budget}' } }));
    const script = sandbox.write('counter.py', 'import time\nfor i in range(1, 100000):\n    print(f"step={i * 10} loss={1 / i:.4f}", flush=True)\n    time.sleep(0.05)\n');
    const started = await sandbox.cli(['start', '--json', script, '--', '--budget', '1_000_000'], { cwd: project });
    const run = JSON.parse(started.stdout);
    const seen = await waitFor('progress with an ETA', async () => {
      const found = await entry(run.id);
      return found?.progress?.etaSeconds > 0 && found;
    }, 30_000);
    expect(seen.progress.total).toBe(1_000_000);
    expect(seen.progress.step).toBeGreaterThan(0);
    expect(seen.progress.stepsPerSecond).toBeGreaterThan(0);
    expect(seen.progress.main.name).toBe('loss');
    const shown = (await sandbox.cli(['show', run.id])).stdout;
    expect(shown).toMatch(/^progress\s+step [\d,]+ of 1,000,000 \(\d+\.\d%\) at [\d.]+ steps\/s, ETA \S+/m);
    expect(shown).toMatch(/^metric\s+loss \d/m);
    const bad = await sandbox.cli(['ls'], { cwd: project, env: {} });
    expect(bad.code).toBe(0);
    writeFileSync(`${project}/runs.config.json`, JSON.stringify({ progress: { total: 'budget' } }));
    const rejected = await sandbox.cli(['ls'], { cwd: project });
    expect(rejected.code).toBe(2);
    expect(rejected.stderr).toContain("progress.total: expected a step count ('1000000') or one argument of the run in braces ('{total_timesteps}')");
  });
});
