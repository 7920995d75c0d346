import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { checkNumberedLines } from '../lib/lines.mjs';
import { SCRIPTS, createSandbox, daemonPid, pm2, procStatusMb, readJson, rlRun, runOk, waitFor } from '../lib/sandbox.mjs';
import { summarize } from '../lib/stats.mjs';

const WRITER = path.join(SCRIPTS, 'write_lines.py');
const ENDED = ['succeeded', 'failed', 'stopped', 'lost'];

/**
 * Output throughput: write_lines.py writes BYTES of lines (a) redirected `> file`, (b) under rl-run,
 * whose runner hands the script stdout.log as its own fd, (c) under pm2 with `--output`, where every
 * line goes through a pipe into the daemon. Throughput is bytes over the time from the script's first
 * write to the last byte being in the file (for pm2 the daemon may still be writing after the script
 * ended). Every output is compared byte for byte with the redirect's, which is itself checked line by
 * line. The two pm2 daemons (rl-run's, pm2 out_file's) have their RSS taken before and after.
 */
export async function throughput({ bytes, reps, pm2Reps }) {
  const sandbox = createSandbox('throughput');
  try {
    const ours = sandbox.env('pm2-rl-run');
    const theirs = sandbox.env('pm2-out-file');
    const runsDir = path.join(sandbox.dir, 'runs');
    const reference = path.join(sandbox.dir, 'redirect.log');
    const times = path.join(sandbox.dir, 'times');
    const base = { PYTHONUNBUFFERED: '1', BENCH_TIMES: times };
    const readTimes = () => {
      const [lines, t0, t1] = readFileSync(times, 'utf8').trim().split(' ').map(Number);
      return { lines, t0: t0 * 1000, t1: t1 * 1000 };
    };

    const redirect = async () => {
      rmSync(reference, { force: true });
      await runOk('sh', ['-c', `exec python3 "${WRITER}" > "${reference}"`], { env: { ...ours, ...base, BENCH_BYTES: String(bytes) } });
      const t = readTimes();
      return { ms: t.t1 - t.t0, lines: t.lines, file: reference };
    };
    const underRlRun = async (size = bytes) => {
      const env = { ...ours, ...base, BENCH_BYTES: String(size) };
      const started = Date.now();
      const { stdout } = await rlRun(['start', WRITER, '--json', '--interpreter', 'python3', '--runs-dir', runsDir, '--name', 'tp'], { env, cwd: sandbox.dir });
      const { dir } = JSON.parse(stdout);
      const record = await waitFor('the rl-run run to end', () => {
        const r = readJson(path.join(dir, 'run.json'));
        return ENDED.includes(r.status.state) && r;
      }, 600_000);
      if (record.status.state !== 'succeeded') throw new Error(`the rl-run run ended ${record.status.state}: see ${dir}`);
      const t = readTimes();
      return { ms: t.t1 - t.t0, wallMs: Date.now() - started, lines: t.lines, file: path.join(dir, 'stdout.log'), dir };
    };
    let pm2Count = 0;
    const underPm2 = async (size = bytes) => {
      const name = `tp-${pm2Count++}`;
      const out = path.join(sandbox.dir, `${name}.out.log`);
      const env = { ...theirs, ...base, BENCH_BYTES: String(size) };
      rmSync(times, { force: true });
      await pm2(['start', WRITER, '--name', name, '--interpreter', 'python3', '--no-autorestart', '--output', out, '--error', path.join(sandbox.dir, `${name}.err.log`)], { env, cwd: sandbox.dir });
      const expected = Math.ceil(size / 101) * 101;
      // The script's end is not enough: the daemon may still hold lines it has not written yet.
      const complete = await waitFor('pm2 to write the whole output', () => sizeOf(out) >= expected && sizeOf(times) > 0 && Date.now(), 900_000);
      const t = readTimes();
      await pm2(['delete', name], { env });
      return { ms: Math.max(t.t1, complete) - t.t0, scriptMs: t.t1 - t.t0, lines: t.lines, file: out };
    };

    // Warm both daemons (and the page cache of python) before anything is measured.
    const warm = await underRlRun(10_000);
    rmSync(warm.dir, { recursive: true, force: true });
    await underPm2(10_000);
    const rssBefore = { ours: procStatusMb(daemonPid(ours), 'VmRSS'), theirs: procStatusMb(daemonPid(theirs), 'VmRSS') };

    const samples = { redirect: [], rlRun: [], pm2: [] };
    const walls = [];
    const problems = [];
    let referenceChecked = null;
    for (let rep = 0; rep < reps; rep++) {
      const plain = await redirect();
      samples.redirect.push(plain.ms);
      if (!referenceChecked) {
        referenceChecked = checkNumberedLines(reference);
        if (referenceChecked.lines !== plain.lines || referenceChecked.misplaced) problems.push(`redirect itself: ${JSON.stringify(referenceChecked)}`);
      }
      const ours1 = await underRlRun();
      samples.rlRun.push(ours1.ms);
      walls.push(ours1.wallMs);
      if (!sameFile(ours1.file, reference)) problems.push(`rl-run: ${describeDamage(ours1.file, plain.lines)}`);
      rmSync(ours1.dir, { recursive: true, force: true });
      if (rep < pm2Reps) {
        const theirs1 = await underPm2();
        samples.pm2.push(theirs1.ms);
        if (!sameFile(theirs1.file, reference)) problems.push(`pm2 out_file: ${describeDamage(theirs1.file, plain.lines)}`);
        rmSync(theirs1.file, { force: true });
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const daemon = {
      ours: { before: rssBefore.ours, after: procStatusMb(daemonPid(ours), 'VmRSS'), peak: procStatusMb(daemonPid(ours), 'VmHWM') },
      theirs: { before: rssBefore.theirs, after: procStatusMb(daemonPid(theirs), 'VmRSS'), peak: procStatusMb(daemonPid(theirs), 'VmHWM') },
    };
    const mib = bytes / 2 ** 20;
    const rate = (stat) => mib / (stat.median / 1000);
    return {
      mib,
      lines: referenceChecked?.lines ?? 0,
      redirect: summarize(samples.redirect),
      rlRun: summarize(samples.rlRun),
      pm2: summarize(samples.pm2),
      rlRunWall: summarize(walls),
      rates: { redirect: rate(summarize(samples.redirect)), rlRun: rate(summarize(samples.rlRun)), pm2: rate(summarize(samples.pm2)) },
      problems,
      daemon,
    };
  } finally {
    await sandbox.cleanup();
  }
}

function sizeOf(file) {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function sameFile(a, b) {
  return spawnSync('cmp', ['-s', a, b]).status === 0;
}

function describeDamage(file, expectedLines) {
  const { lines, misplaced } = checkNumberedLines(file);
  return `${expectedLines - lines} lines lost, ${misplaced} out of place (of ${expectedLines})`;
}
