import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeRealLog } from '../lib/real-logs.mjs';
import { generatedRecord } from '../lib/registry.mjs';
import { cliPath, ROOT, createSandbox, hasCommand, runOk } from '../lib/sandbox.mjs';
import { alternate, summarize } from '../lib/stats.mjs';

const PRELOAD = pathToFileURL(path.join(ROOT, 'bench', 'lib', 'maxrss-preload.mjs')).href;

/**
 * `rl-run metrics <run> --json` on a run whose stdout.log holds `bytes` of console output, against
 * `grep -c '=' FILE`: twice, on the real logs of test/fixtures/metrics concatenated and repeated
 * (bench/lib/real-logs.mjs) and on a synthetic log of a few repeated line shapes. Then `compare` of
 * `compareRuns` runs with `compareBytes` of real logs each, first read and again (the cache).
 */
export async function metricsExtraction({ bytes, reps, compareRuns, compareBytes }) {
  return {
    real: await extraction({ bytes, reps, write: writeRealLog }),
    synthetic: await extraction({ bytes, reps, write: writeTrainingLog }),
    compare: await cachedCompare({ runs: compareRuns, bytes: compareBytes, reps }),
  };
}

/**
 * Throughput of the whole process, its CPU time and its peak RSS (written by a preload at exit;
 * grep's by /usr/bin/time when it is there), and the read after 1 MB more of log.
 */
async function extraction({ bytes, reps, write }) {
  const sandbox = createSandbox('metrics');
  try {
    const env = sandbox.env();
    const runsDir = path.join(sandbox.dir, 'runs');
    const record = generatedRecord(0);
    const dir = path.join(runsDir, record.id);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'run.json'), JSON.stringify(record));
    const log = path.join(dir, 'stdout.log');
    write(log, bytes);
    const rssFile = path.join(sandbox.dir, 'maxrss');
    const cpuFile = path.join(sandbox.dir, 'cpu');
    const cache = path.join(dir, '.metrics-cache.json');
    const cpu = [];
    // A first read each time: without the run's metrics cache (src/metrics/metrics-cache.ts) ...
    const ours = async ({ cached = false } = {}) => {
      if (!cached) rmSync(cache, { force: true });
      const result = await runOk(process.execPath, ['--import', PRELOAD, cliPath(), 'metrics', record.id, '--json', '--runs-dir', runsDir], {
        env: { ...env, BENCH_MAXRSS_FILE: rssFile, BENCH_CPU_FILE: cpuFile },
        cwd: sandbox.dir,
      });
      if (!cached) cpu.push(Number(readFileSync(cpuFile, 'utf8')));
      return result;
    };
    const timeTool = hasCommand('/usr/bin/time');
    const grepFile = path.join(sandbox.dir, 'grep-rss');
    const grep = () =>
      timeTool
        ? runOk('/usr/bin/time', ['-o', grepFile, '-f', '%M', 'grep', '-c', '=', log], { env, cwd: sandbox.dir })
        : runOk('grep', ['-c', '=', log], { env, cwd: sandbox.dir });
    const first = await ours();
    const found = JSON.parse(first.stdout).metrics;
    cpu.length = 0;
    const timings = await alternate({ rlRun: async () => (await ours()).ms, grep: async () => (await grep()).ms }, reps);
    const rssMb = Number(readFileSync(rssFile, 'utf8')) / 1024;
    // ... and the read after it, with 1 MB more of log, as a live run's is: only the new part is parsed.
    await ours();
    const again = [];
    for (let rep = 0; rep < Math.max(reps, 3); rep++) {
      write(log, 1e6, 'a');
      again.push((await ours({ cached: true })).ms);
    }
    const grepRssMb = timeTool ? Number(readFileSync(grepFile, 'utf8').trim().split('\n').pop()) / 1024 : null;
    return {
      mb: bytes / 1e6,
      ...timings,
      cpu: summarize(cpu),
      cached: summarize(again),
      rssMb,
      grepRssMb,
      series: found.length,
      points: found.reduce((n, m) => n + (m.count ?? 0), 0),
    };
  } finally {
    await sandbox.cleanup();
  }
}

/**
 * `rl-run compare <the runs>` as a whole process, on `runs` run directories whose stdout.log
 * each holds `bytes` of the real logs (their own files: 20 x 100 MB is 2 GB of disk): the first
 * compare without any metrics cache, then the second, with nothing appended, and one after every
 * log grew by a few lines, as live runs' logs do.
 */
export async function cachedCompare({ runs, bytes, reps }) {
  const sandbox = createSandbox('compare');
  try {
    const env = sandbox.env();
    const runsDir = path.join(sandbox.dir, 'runs');
    const ids = [];
    const logs = [];
    for (let i = 0; i < runs; i++) {
      const record = generatedRecord(i);
      const dir = path.join(runsDir, record.id);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'run.json'), JSON.stringify(record));
      logs.push(path.join(dir, 'stdout.log'));
      writeRealLog(logs.at(-1), bytes);
      ids.push(record.id);
    }
    const compare = (...more) => runOk(process.execPath, [cliPath(), 'compare', ...ids, '--runs-dir', runsDir, ...more], { env, cwd: sandbox.dir });
    const dropCaches = () => {
      for (const log of logs) rmSync(path.join(path.dirname(log), '.metrics-cache.json'), { force: true });
    };
    const first = [];
    const second = [];
    const grown = [];
    for (let rep = 0; rep < reps; rep++) {
      dropCaches();
      first.push((await compare()).ms);
      second.push((await compare()).ms);
      for (const log of logs) writeFileSync(log, 'global_step=1, episodic_return=2.5\nSPS: 1000\n', { flag: 'a' });
      grown.push((await compare()).ms);
    }
    const metrics = Object.keys(JSON.parse((await compare('--json')).stdout).runs[0].metrics).length;
    return { runs, mb: bytes / 1e6, metrics, first: summarize(first), second: summarize(second), grown: summarize(grown) };
  } finally {
    await sandbox.cleanup();
  }
}

/** Writes (or appends, flag 'a') about `bytes` of a mixed training log, in 4 MB batches. */
function writeTrainingLog(file, bytes, flag = 'w') {
  const fd = openSync(file, flag);
  let written = 0;
  let batch = '';
  try {
    for (let step = 0; written < bytes; step += 2048) {
      batch += `global_step=${step}, episodic_return=${(Math.sin(step / 1e5) * 100).toFixed(2)}, loss=${(1 / (1 + step / 1e4)).toFixed(5)}\n`;
      batch += `global step=${step}, episodic return=${(step % 977) / 10}\n`;
      if (step % (2048 * 10) === 0) {
        batch += `---------------------------------\n| rollout/           |          |\n|    ep_len_mean     | 200      |\n|    ep_rew_mean     | ${(step % 1000) - 500}     |\n| time/              |          |\n|    fps             | 1464     |\n|    total_timesteps | ${step} |\n---------------------------------\n`;
        batch += `2025-11-10 11:51:47.990698: W tensorflow/core/util/port.cc:153] some warning text that is long enough to look real\n`;
        batch += `\rEpisode progress:  13%|##        | 1000/7500 [00:00<00:04, 1395.25 it/s]\rEpisode progress: 100%|##########| 7500/7500\n`;
      }
      if (batch.length > 4 << 20) {
        written += writeSync(fd, batch);
        batch = '';
      }
    }
    if (batch) writeSync(fd, batch);
  } finally {
    closeSync(fd);
  }
}
