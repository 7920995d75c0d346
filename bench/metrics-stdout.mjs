// Stdout metric extraction vs `grep -c '=' FILE` on the same file (issue 3: >= 1/3 of grep's
// speed, < 200 MB peak RSS). Not a test: run by hand after `npm run build`.
//   node bench/metrics-stdout.mjs [FILE] [SIZE_MB] [RUNS]    (generates FILE when missing; default 1024 MB, 5 runs)
//   node bench/metrics-stdout.mjs real [SIZE_MB] [RUNS]      (the real console logs of test/fixtures/metrics,
//                                                            concatenated and repeated: bench/lib/real-logs.mjs)
// Each run times grep, then our reader in a fresh node process; medians are reported, with the
// load average, since other work on the machine skews both.
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, statSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeRealLog } from './lib/real-logs.mjs';

const real = process.argv[2] === 'real';
const file = real ? path.join(tmpdir(), 'rl-run-bench-real-stdout.log') : (process.argv[2] ?? path.join(tmpdir(), 'rl-run-bench-stdout.log'));
const sizeMb = Number(process.argv[3] ?? 1024);
const runCount = Number(process.argv[4] ?? 5);

/** A mix of what training logs hold: CleanRL lines, SB3 tables, warnings, tqdm bars. */
function* blocks() {
  for (let step = 0; ; step += 2048) {
    yield `global_step=${step}, episodic_return=${(Math.sin(step / 1e5) * 100).toFixed(2)}, loss=${(1 / (1 + step / 1e4)).toFixed(5)}\n`;
    yield `global step=${step}, episodic return=${(step % 977) / 10}\n`;
    if (step % (2048 * 10) === 0) {
      yield `---------------------------------\n| rollout/           |          |\n|    ep_len_mean     | 200      |\n|    ep_rew_mean     | ${(step % 1000) - 500}     |\n| time/              |          |\n|    fps             | 1464     |\n|    total_timesteps | ${step} |\n---------------------------------\n`;
      yield `2025-11-10 11:51:47.990698: W tensorflow/core/util/port.cc:153] some warning text that is long enough to look real\n`;
      yield `\rEpisode progress:  13%|##        | 1000/7500 [00:00<00:04, 1395.25 it/s]\rEpisode progress: 100%|##########| 7500/7500\n`;
    }
  }
}

async function generate() {
  if (real) return writeRealLog(file, sizeMb * 1024 * 1024);
  const out = createWriteStream(file);
  let written = 0;
  const target = sizeMb * 1024 * 1024;
  let batch = '';
  for (const block of blocks()) {
    batch += block;
    if (batch.length > 1 << 20) {
      written += batch.length;
      if (!out.write(batch)) await new Promise((resolve) => out.once('drain', resolve));
      batch = '';
      if (written >= target) break;
    }
  }
  await new Promise((resolve) => out.end(resolve));
}

/** One extraction in this process (a fresh one per run: a CLI call starts cold), as JSON on stdout. */
async function once() {
  const { readStdoutLog } = await import('../dist/metrics/stdout-reader.js');
  const t = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  const series = await readStdoutLog(file);
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const points = series.reduce((n, s) => n + s.summary.count, 0);
  const rssMb = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, series: series.length, points, rssMb }));
}

if (process.env.RL_RUN_BENCH_ONCE) {
  await once();
  process.exit(0);
}

if (real || !existsSync(file)) await generate();
const bytes = statSync(file).size;
const mb = bytes / 1024 / 1024;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const runs = [];
for (let i = 0; i < runCount; i++) {
  const load = os.loadavg()[0];
  const t = process.hrtime.bigint();
  const grepCount = execFileSync('grep', ['-c', '=', file], { encoding: 'utf8' }).trim();
  const grepSeconds = Number(process.hrtime.bigint() - t) / 1e9;
  const child = execFileSync(process.execPath, [fileURLToPath(import.meta.url), file], {
    encoding: 'utf8',
    env: { ...process.env, RL_RUN_BENCH_ONCE: '1' },
  });
  const ours = JSON.parse(child);
  runs.push({ load, grepCount, grepSeconds, ...ours, ratio: grepSeconds / ours.seconds });
  console.log(
    `run ${i + 1}: grep ${(mb / grepSeconds).toFixed(0)} MB/s, ours ${(mb / ours.seconds).toFixed(0)} MB/s ` +
      `(${ours.cpuSeconds.toFixed(2)} s CPU), ratio ${(grepSeconds / ours.seconds).toFixed(2)}, peak RSS ${ours.rssMb.toFixed(0)} MB, load ${load.toFixed(2)}`,
  );
}

const last = runs.at(-1);
const grepSeconds = median(runs.map((r) => r.grepSeconds));
const ourSeconds = median(runs.map((r) => r.seconds));
console.log(`file            ${file} (${mb.toFixed(0)} MB), medians of ${runs.length} runs`);
console.log(`grep -c '='     ${grepSeconds.toFixed(2)} s  ${(mb / grepSeconds).toFixed(0)} MB/s  (${last.grepCount} lines)`);
console.log(`readStdoutLog   ${ourSeconds.toFixed(2)} s  ${(mb / ourSeconds).toFixed(0)} MB/s  (${last.series} series, ${last.points} points; ${median(runs.map((r) => r.cpuSeconds)).toFixed(2)} s CPU)`);
console.log(`ratio           ${median(runs.map((r) => r.ratio)).toFixed(2)} of grep's speed, median of the runs' ratios (goal >= 0.33)`);
console.log(`load average    ${median(runs.map((r) => r.load)).toFixed(2)} on ${os.availableParallelism()} CPUs (other work skews both timings)`);
console.log(`peak RSS        ${Math.max(...runs.map((r) => r.rssMb)).toFixed(0)} MB, the largest of the runs (goal < 200)`);
