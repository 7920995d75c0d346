import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { generatedRecord } from '../lib/registry.mjs';
import { createSandbox, rlRun, runOk } from '../lib/sandbox.mjs';
import { alternate } from '../lib/stats.mjs';

const TAIL_BYTES = 8 << 20;

/**
 * `rl-run logs <run> -n 100` on stdout logs of growing size against `tail -n 100` and `node -e 0`.
 * The small log is written in full; the large ones are sparse files whose last 8 MB are real lines
 * (both readers only ever look at the end, and a 5 GB log then costs neither disk nor minutes).
 */
export async function logsTail({ sizes, reps }) {
  const sandbox = createSandbox('logs');
  try {
    const options = { env: sandbox.env(), cwd: sandbox.dir };
    const runsDir = path.join(sandbox.dir, 'runs');
    // Every size in one alternation, so that a change in the machine's load hits all sizes alike
    // and "the same time for every size" compares like with like.
    const logs = sizes.map((size, k) => {
      const record = generatedRecord(k);
      const dir = path.join(runsDir, record.id);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'run.json'), JSON.stringify(record));
      const log = path.join(dir, 'stdout.log');
      writeLog(log, size);
      return { size, id: record.id, log };
    });
    const node = process.execPath;
    const measures = { node: async () => (await runOk(node, ['-e', '0'], options)).ms };
    for (const { size, id, log } of logs) {
      measures[`rlRun ${size}`] = async () => (await rlRun(['logs', id, '-n', '100', '--runs-dir', runsDir], options)).ms;
      measures[`tail ${size}`] = async () => (await runOk('tail', ['-n', '100', log], options)).ms;
    }
    const timings = await alternate(measures, reps);
    const results = [];
    for (const { size, id, log } of logs) {
      const ours = await rlRun(['logs', id, '-n', '100', '--runs-dir', runsDir], options);
      const theirs = await runOk('tail', ['-n', '100', log], options);
      results.push({ size, rlRun: timings[`rlRun ${size}`], tail: timings[`tail ${size}`], node: timings.node, sameOutput: ours.stdout === theirs.stdout });
    }
    return results;
  } finally {
    await sandbox.cleanup();
  }
}

/** A log of `size` bytes whose last (up to) 8 MB are numbered lines of a training loop. */
function writeLog(file, size) {
  const real = Math.min(size, TAIL_BYTES);
  const fd = openSync(file, 'w');
  try {
    let text = '';
    for (let i = 0; text.length < real; i++) text += `step=${i} loss=${(1 / (i + 1)).toFixed(6)} reward=${(i % 977) / 10} some padding to look like a real log line\n`;
    text = text.slice(text.length - real);
    text = text.slice(text.indexOf('\n') + 1);
    writeSync(fd, text, size - Buffer.byteLength(text));
  } finally {
    closeSync(fd);
  }
}
