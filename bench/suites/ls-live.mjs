import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateRuns } from '../lib/registry.mjs';
import { fmt, row } from '../lib/report.mjs';
import { ROOT, cliPath, createSandbox, rlRun, runOk } from '../lib/sandbox.mjs';
import { alternate, pairedMedian } from '../lib/stats.mjs';

const RUNNING = 8;
const PRELOAD = pathToFileURL(path.join(ROOT, 'bench', 'lib', 'maxrss-preload.mjs')).href;
const LISTED = 20;

/**
 * What measuring running runs costs `ls --limit 20` (issue 15): two registries side by side, one
 * whose 20 newest runs have all ended, one whose 20 newest include 8 real running runs (python
 * scripts under pm2 and rl-run's runner, each a script plus a worker process holding memory), so
 * `ls` walks /proc, reads each runner's resources.json and fills CPU and MEM. Measured alternately.
 */
export async function lsLive({ reps }) {
  const sandbox = createSandbox('ls-live');
  try {
    const env = sandbox.env();
    const idle = path.join(sandbox.dir, 'runs-ended');
    const live = path.join(sandbox.dir, 'runs-live');
    generateRuns(idle, 0, LISTED + RUNNING);
    generateRuns(live, 0, LISTED);
    const script = path.join(sandbox.dir, 'worker.py');
    writeFileSync(
      script,
      [
        'import multiprocessing, time',
        'def worker():',
        '    block = b"x" * (20 * 1024 * 1024)',
        '    time.sleep(3600)',
        'if __name__ == "__main__":',
        '    multiprocessing.Process(target=worker).start()',
        '    time.sleep(3600)',
        '',
      ].join('\n'),
    );
    const options = { env, cwd: sandbox.dir };
    for (let i = 0; i < RUNNING; i++) await rlRun(['start', '--runs-dir', live, script], options);
    const list = (runsDir) => rlRun(['ls', '--limit', String(LISTED), '--runs-dir', runsDir], options);
    const shown = (await list(live)).stdout;
    const measured = shown.split('\n').filter((line) => /\brunning\b.*\d%/.test(line)).length;
    if (measured !== RUNNING) throw new Error(`expected ${RUNNING} running runs with CPU and MEM in ls, saw ${measured}:\n${shown}`);
    // CPU time (user + system) of the ls process too: on a shared machine it moves less with the load than wall time.
    const cpuFile = path.join(sandbox.dir, 'cpu-ms');
    const cpu = async (runsDir) => {
      await runOk(process.execPath, ['--import', PRELOAD, cliPath(), 'ls', '--limit', String(LISTED), '--runs-dir', runsDir], { ...options, env: { ...env, BENCH_CPU_FILE: cpuFile } });
      return Number(readFileSync(cpuFile, 'utf8'));
    };
    const timings = await alternate({ none: async () => (await list(idle)).ms, running: async () => (await list(live)).ms }, reps);
    const cpuTimes = await alternate({ none: () => cpu(idle), running: () => cpu(live) }, reps);
    return {
      ...timings,
      ratio: pairedMedian(timings.running, timings.none, (a, b) => a / b),
      cpu: { ...cpuTimes, ratio: pairedMedian(cpuTimes.running, cpuTimes.none, (a, b) => a / b) },
      sample: shown,
    };
  } finally {
    await sandbox.cleanup();
  }
}

export function lsLiveRows(r) {
  return [
    row(
      `\`ls --limit 20\` with ${RUNNING} running runs (CPU, MEM measured)`,
      fmt.ms(r.running),
      `${LISTED} ended runs: ${fmt.ms(r.none)}`,
      fmt.x(r.ratio),
      '<= 1.3x',
      r.ratio <= 1.3,
    ),
    row(
      `\`ls --limit 20\` with ${RUNNING} running runs: CPU time of the process`,
      fmt.ms(r.cpu.running),
      `${LISTED} ended runs: ${fmt.ms(r.cpu.none)}`,
      fmt.x(r.cpu.ratio),
      '—',
      null,
    ),
  ];
}
