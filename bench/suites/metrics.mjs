import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { generatedRecord } from '../lib/registry.mjs';
import { cliPath, ROOT, createSandbox, hasCommand, runOk } from '../lib/sandbox.mjs';
import { alternate, summarize } from '../lib/stats.mjs';

const PRELOAD = pathToFileURL(path.join(ROOT, 'bench', 'lib', 'maxrss-preload.mjs')).href;

/**
 * `rl-run metrics <run> --json` on a run whose stdout.log holds `bytes` of a training log (CleanRL
 * lines, SB3 tables, warnings, progress bars) against `grep -c '=' FILE`: throughput of the whole
 * process and its peak RSS (written by a preload at exit; grep's by /usr/bin/time when it is there).
 */
export async function metricsExtraction({ bytes, reps }) {
  const sandbox = createSandbox('metrics');
  try {
    const env = sandbox.env();
    const runsDir = path.join(sandbox.dir, 'runs');
    const record = generatedRecord(0);
    const dir = path.join(runsDir, record.id);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'run.json'), JSON.stringify(record));
    const log = path.join(dir, 'stdout.log');
    writeTrainingLog(log, bytes);
    const rssFile = path.join(sandbox.dir, 'maxrss');
    const cache = path.join(dir, '.metrics-cache.json');
    // A first read each time: without the run's metrics cache (src/metrics/metrics-cache.ts) ...
    const ours = ({ cached = false } = {}) => {
      if (!cached) rmSync(cache, { force: true });
      return runOk(process.execPath, ['--import', PRELOAD, cliPath(), 'metrics', record.id, '--json', '--runs-dir', runsDir], {
        env: { ...env, BENCH_MAXRSS_FILE: rssFile },
        cwd: sandbox.dir,
      });
    };
    const timeTool = hasCommand('/usr/bin/time');
    const grepFile = path.join(sandbox.dir, 'grep-rss');
    const grep = () =>
      timeTool
        ? runOk('/usr/bin/time', ['-o', grepFile, '-f', '%M', 'grep', '-c', '=', log], { env, cwd: sandbox.dir })
        : runOk('grep', ['-c', '=', log], { env, cwd: sandbox.dir });
    const first = await ours();
    const found = JSON.parse(first.stdout).metrics;
    const timings = await alternate({ rlRun: async () => (await ours()).ms, grep: async () => (await grep()).ms }, reps);
    const rssMb = Number(readFileSync(rssFile, 'utf8')) / 1024;
    // ... and the read after it, with 1 MB more of log, as a live run's is: only the new part is parsed.
    await ours();
    const again = [];
    for (let rep = 0; rep < Math.max(reps, 3); rep++) {
      writeTrainingLog(log, 1e6, 'a');
      again.push((await ours({ cached: true })).ms);
    }
    const grepRssMb = timeTool ? Number(readFileSync(grepFile, 'utf8').trim().split('\n').pop()) / 1024 : null;
    return {
      mb: bytes / 1e6,
      ...timings,
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
