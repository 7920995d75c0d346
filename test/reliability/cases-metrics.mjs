// Reliability cases of the metrics reader: the incremental cache on many runs with large logs.
import { appendFileSync, closeSync, linkSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { endedRecord } from '../support/processes.mjs';
import { createSandbox } from './sandbox.mjs';

const RUNS = 20;
const LOG_MB = 20;

/** About `mb` MB of a CleanRL-style log with SB3 tables, in 4 MB writes. */
function writeLog(file, mb) {
  const fd = openSync(file, 'w');
  try {
    let batch = '';
    let written = 0;
    for (let step = 0; written < mb * 1e6; step += 2048) {
      batch += `global_step=${step}, episodic_return=${(Math.sin(step / 1e5) * 100).toFixed(2)}, loss=${(1 / (1 + step / 1e4)).toFixed(5)}\n`;
      if (step % (2048 * 10) === 0) batch += `---------------------------------\n| rollout/           |          |\n|    ep_rew_mean     | ${(step % 1000) - 500}     |\n| time/              |          |\n|    total_timesteps | ${step} |\n---------------------------------\n`;
      if (batch.length > 4 << 20) {
        written += writeSync(fd, batch);
        batch = '';
      }
    }
    writeSync(fd, batch);
  } finally {
    closeSync(fd);
  }
}

/**
 * `compare` of 20 runs with 20 MB logs: a first read, a second one (the logs unchanged), a third after
 * every log grew, and a read without the cache, which must give the same JSON.
 */
async function metricsCache() {
  const sandbox = createSandbox();
  try {
    mkdirSync(sandbox.runsDir);
    const log = path.join(sandbox.dir, 'shared.log');
    writeLog(log, LOG_MB);
    const ids = [];
    for (let i = 0; i < RUNS; i++) {
      const id = `train-20250101-000000-${String(i).padStart(6, '0')}`;
      const dir = path.join(sandbox.runsDir, id);
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'run.json'), JSON.stringify(endedRecord(id, hostname()), null, 2));
      // One file under every run (hard links): appending to it grows every run's log.
      linkSync(log, path.join(dir, 'stdout.log'));
      ids.push(id);
    }
    const compare = async () => {
      const started = Date.now();
      const result = await sandbox.cli(['compare', ...ids, '--json']);
      if (result.code !== 0) throw new Error(`compare failed: ${result.stderr}`);
      return { ms: Date.now() - started, json: JSON.parse(result.stdout) };
    };
    const first = await compare();
    const second = await compare();
    appendFileSync(log, 'global_step=99999999, episodic_return=1, loss=0.5\n'.repeat(1000));
    const third = await compare();
    for (const id of ids) rmSync(path.join(sandbox.runsDir, id, '.metrics-cache.json'));
    const fresh = await compare();
    const same = isDeepStrictEqual(second.json, first.json) && isDeepStrictEqual(third.json, fresh.json);
    return {
      ok: same,
      line: `metrics cache: compare of ${RUNS} runs with ${LOG_MB} MB logs: first ${first.ms} ms, unchanged ${second.ms} ms, after an append ${third.ms} ms, without the cache ${fresh.ms} ms; same JSON as without it: ${same}`,
    };
  } finally {
    await sandbox.cleanup();
  }
}

export const CASES = [['metrics cache', metricsCache]];
