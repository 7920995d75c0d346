// Stdout metric extraction vs `grep -c '=' FILE` on the same file (issue 3: >= 1/3 of grep's
// speed, < 200 MB peak RSS). Not a test: run by hand after `npm run build`.
//   node bench/metrics-stdout.mjs [FILE] [SIZE_MB]    (generates FILE when missing; default 1024 MB)
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, statSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';

const file = process.argv[2] ?? path.join(tmpdir(), 'rl-run-bench-stdout.log');
const sizeMb = Number(process.argv[3] ?? 1024);

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

if (!existsSync(file)) await generate();
const bytes = statSync(file).size;
const mb = bytes / 1024 / 1024;

let t = process.hrtime.bigint();
const grepCount = execFileSync('grep', ['-c', '=', file], { encoding: 'utf8' }).trim();
const grepSeconds = Number(process.hrtime.bigint() - t) / 1e9;

const { readStdoutLog } = await import('../dist/metrics/stdout-reader.js');
t = process.hrtime.bigint();
const cpuBefore = process.cpuUsage();
const series = await readStdoutLog(file);
const ourSeconds = Number(process.hrtime.bigint() - t) / 1e9;
const cpu = process.cpuUsage(cpuBefore);
const ourCpuSeconds = (cpu.user + cpu.system) / 1e6;
const points = series.reduce((n, s) => n + s.summary.count, 0);

console.log(`file            ${file} (${mb.toFixed(0)} MB)`);
console.log(`grep -c '='     ${grepSeconds.toFixed(2)} s  ${(mb / grepSeconds).toFixed(0)} MB/s  (${grepCount} lines)`);
console.log(`readStdoutLog   ${ourSeconds.toFixed(2)} s  ${(mb / ourSeconds).toFixed(0)} MB/s  (${series.length} series, ${points} points; ${ourCpuSeconds.toFixed(2)} s CPU)`);
console.log(`ratio           ${(grepSeconds / ourSeconds).toFixed(2)} of grep's speed (goal >= 0.33)`);
console.log(`load average    ${os.loadavg()[0].toFixed(2)} on ${os.availableParallelism()} CPUs (other work skews both timings)`);
console.log(`peak RSS        ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (goal < 200)`);
