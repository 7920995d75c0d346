// `npm run bench`: rl-run side by side with pm2, tail, grep and a plain redirect (issue 6).
//   BENCH_QUICK=1          a small smoke version (seconds, not minutes)
//   BENCH_ONLY=ls,logs     only these suites (names below)
//   BENCH_RESULTS=FILE     where to write the table (default: bench/RESULTS.md for a full run of
//                          every suite, nowhere otherwise)
//   BENCH_SOURCE=worktree  measure the working tree instead of the last commit
//   BENCH_NO_BUILD=1       measure dist/ as it is instead of building the bench's own copy first
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { describeMachine } from './lib/machine.mjs';
import { errorRow, renderMachine, renderMisses, renderTable } from './lib/report.mjs';
import { cliStartRows, firstLineRows, logsRows, lsRows, metricsRows, startStopRows, statsRows, throughputRows } from './lib/rows.mjs';
import { ROOT } from './lib/sandbox.mjs';

const quick = Boolean(process.env.BENCH_QUICK);

// The bench builds its own copy of rl-run, from the last commit: dist/ and the working tree are
// shared with whoever works here, and a half-done edit elsewhere once broke a suite mid-bench.
// BENCH_SOURCE=worktree builds the working tree instead. The copy lives inside node_modules so that
// it resolves the same packages.
if (!process.env.BENCH_NO_BUILD) {
  const tree = path.join(ROOT, 'node_modules', '.cache', 'rl-run-bench', 'tree');
  rmSync(tree, { recursive: true, force: true });
  mkdirSync(tree, { recursive: true });
  const files = ['src', 'scripts', 'package.json', 'tsconfig.json', 'tsconfig.build.json'];
  const copyTree = () => spawnSync('cp', ['-r', ...files, tree], { cwd: ROOT, stdio: 'inherit' });
  const archive = `${tree}.tar`;
  const fromHead = () => {
    const made = spawnSync('git', ['archive', '--format=tar', '-o', archive, 'HEAD', ...files], { cwd: ROOT });
    return made.status === 0 ? spawnSync('tar', ['-xf', archive, '-C', tree], { stdio: 'inherit' }) : made;
  };
  let copy = process.env.BENCH_SOURCE === 'worktree' ? copyTree() : fromHead();
  if (copy.status !== 0) {
    // Not a git checkout (an unpacked tarball): measure the files as they are.
    console.error('bench: no git HEAD to build from; measuring the working tree');
    process.env.BENCH_SOURCE = 'worktree';
    copy = copyTree();
  }
  rmSync(archive, { force: true });
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  // As package.json's build script does: tsc, then the CLI bundled (scripts/bundle.mjs).
  const built =
    copy.status === 0 &&
    spawnSync(process.execPath, [tsc, '-p', path.join(tree, 'tsconfig.build.json')], { stdio: 'inherit' }).status === 0 &&
    spawnSync(process.execPath, [path.join(tree, 'scripts', 'bundle.mjs')], { stdio: 'inherit' }).status === 0;
  if (!built) {
    console.error(`bench: building rl-run in ${tree} failed; 'npm run build' shows why`);
    process.exit(1);
  }
  process.env.BENCH_DIST = path.join(tree, 'dist');
}
const { cliStart } = await import('./suites/cli-start.mjs');
const { firstLine } = await import('./suites/first-line.mjs');
const { logsTail } = await import('./suites/logs-tail.mjs');
const { lsScaling } = await import('./suites/ls.mjs');
const { lsLive, lsLiveRows } = await import('./suites/ls-live.mjs');
const { metricsExtraction } = await import('./suites/metrics.mjs');
const { startStop } = await import('./suites/start-stop.mjs');
const { throughput } = await import('./suites/throughput.mjs');
const { statsSuite } = await import('./suites/stats.mjs');

// Sized so that the full run stays under 10 minutes on 2 cores; most of it is the 1 GiB writes
// (about 30 s each for python with PYTHONUNBUFFERED=1, several times that through pm2's out_file).
const SUITES = [
  ['cli-start', 'CLI start', () => cliStart({ reps: quick ? 3 : 25 }), cliStartRows],
  ['ls', '`ls --limit 20`', () => lsScaling({ sizes: quick ? [200, 2_000] : [1_000, 10_000, 100_000], reps: quick ? 2 : 5 }), lsRows],
  ['ls-live', '`ls` with running runs', () => lsLive({ reps: quick ? 3 : 15 }), lsLiveRows],
  ['logs', '`logs -n 100`', () => logsTail({ sizes: quick ? [1e6, 1e8] : [5e6, 5e8, 5e9], reps: quick ? 2 : 9 }), logsRows],
  ['start-stop', 'start and stop', () => startStop({ reps: quick ? 2 : 7 }), startStopRows],
  ['first-line', 'first line', () => firstLine({ reps: quick ? 2 : 5 }), firstLineRows],
  ['metrics', '`metrics`', () => metricsExtraction({ bytes: quick ? 20e6 : 300e6, reps: quick ? 1 : 2, compareRuns: quick ? 4 : 20, compareBytes: quick ? 10e6 : 100e6 }), metricsRows],
  ['throughput', 'output throughput', () => throughput({ bytes: quick ? 16 << 20 : 1 << 30, reps: 2, pm2Reps: 1 }), throughputRows],
  ['stats', 'statistics', () => statsSuite({ experiments: quick ? 300 : 2_000, coverageReps: quick ? 1_000 : 5_000, reps: quick ? 2 : 5 }), statsRows],
];

const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',').map((s) => s.trim()) : null;
const unknown = only?.filter((name) => !SUITES.some(([key]) => key === name)) ?? [];
if (unknown.length) {
  console.error(`bench: unknown suite ${unknown.join(', ')}; the suites are ${SUITES.map(([key]) => key).join(', ')}`);
  process.exit(2);
}

const machine = describeMachine();
const started = Date.now();
const rows = [];
const raw = {};
let failed = false;
for (const [key, label, measure, toRows] of SUITES) {
  if (only && !only.includes(key)) continue;
  const t = Date.now();
  process.stderr.write(`bench: ${key} … `);
  try {
    raw[key] = await measure();
    rows.push(...toRows(raw[key]));
    process.stderr.write(`${((Date.now() - t) / 1000).toFixed(0)} s\n`);
  } catch (error) {
    failed = true;
    rows.push(errorRow(label, error));
    process.stderr.write(`failed: ${error?.stack ?? error}\n`);
  }
}
const seconds = (Date.now() - started) / 1000;
machine.loadAfter = loadavg().map((l) => l.toFixed(2)).join(' ');

const table = renderTable(rows);
console.log(`\n${renderMachine(machine)}\n- ${quick ? 'BENCH_QUICK=1, ' : ''}bench took ${seconds.toFixed(0)} s\n\n${table}`);

const target = process.env.BENCH_RESULTS ?? (!quick && !only ? path.join(ROOT, 'bench', 'RESULTS.md') : null);
if (target) {
  writeFileSync(target, renderResults({ machine, table, seconds, raw, misses: renderMisses(rows) }));
  console.log(`\nwritten to ${path.relative(process.cwd(), target) || target}`);
}
process.exitCode = failed ? 1 : 0;

function renderResults({ machine, table, seconds, raw, misses }) {
  return `# rl-run benchmarks

Generated by \`npm run bench\` (bench/run.mjs${quick ? ', BENCH_QUICK=1' : ''}); do not edit by hand. Each figure is the median of
its repetitions with the range in brackets; rl-run and its baseline ran alternately in the same run.

${renderMachine(machine)}
- the whole bench took ${seconds.toFixed(0)} s

${table}

## Missed targets
${misses}

## How each figure is taken
- **output throughput**: \`bench/scripts/write_lines.py\` prints numbered 101-byte lines with \`PYTHONUNBUFFERED=1\`,
  (a) redirected \`> file\`, (b) under \`rl-run start\`, (c) under \`pm2 start --output F\`. Throughput is bytes over
  the time from the script's first write to the last byte in the file (the script's own clock; for pm2 until the
  file is complete, since the daemon may still be writing after the script ended). The redirect's file is checked
  line by line; the others must be byte-identical to it (\`cmp\`). Daemon RSS: /proc/<pid>/status of each pm2
  daemon (its own PM2_HOME each) after a warm-up run and after the measured runs.
- **start**: the whole \`rl-run start\` process (it returns once the runner recorded the script running) vs
  the whole \`pm2 start\` CLI process, on one warm daemon shared by both.
- **stop**: \`bench/scripts/wait_sigint.py\` exits at once on SIGINT and records when; the figure is how long
  after that each CLI returned, and the whole CLI time in brackets.
- **first line**: \`bench/scripts/print_later.py\` prints a line carrying its own timestamp a second after the
  start; the figure is the time until \`rl-run logs <run> -f\` has written it to its stdout pipe.
- **ls**: registries written directly (a directory and a run.json in the current record shape per run, one run
  a minute); then, on the largest: the newest directory removed, a run.json edited, one truncated.
- **logs -n 100**: the 5 MB log is written in full; the larger ones are sparse files whose last 8 MB are real
  lines (both readers only read the end).
- **metrics**: \`rl-run metrics <run> --json\` as a whole process, its peak RSS and CPU time written by a
  \`--import\` preload at exit, on (a) the console logs of real runs in test/fixtures/metrics (SB3 and baselines
  tables, CleanRL, wandb, verl under Ray, reinforce-style lines, a traceback) concatenated and repeated
  (bench/lib/real-logs.mjs), (b) a synthetic log of two repeated line shapes with a few tables, warnings and
  progress bars. **compare**: 20 run directories, each with its own 100 MB stdout.log of (a); \`rl-run compare
  <20 ids>\` as a whole process, first without any \`.metrics-cache.json\`, then again (the incremental cache),
  then after two lines were appended to every log.
- **statistics**: coverage: 2,000 experiments per n, each n scores drawn from a standard normal (one task, true mean 0);
  the figure is the share of experiments whose 95% interval for the mean holds 0, for \`--ci-method auto\` (Student-t),
  \`--ci-method rliable\` (stratified percentile bootstrap; 5,000 repetitions per experiment) and mean ± 1.96·s/√n
  (Aim's band). \`stats --scores\`: a 2 groups × 57 tasks × 10 runs CSV, 50,000 and 2,000 repetitions, as a whole
  process. \`compare\` groups: 15 run directories (3 learning rates × 5 seeds, a 500-row progress.csv each), \`compare
  --json\` against the same with \`--no-group\`, alternately, after one read warmed the metrics cache.

## Raw figures (ms unless named)
\`\`\`json
${JSON.stringify(raw, (key, value) => (key === 'samples' ? value.map((v) => Math.round(v)) : typeof value === 'number' ? Math.round(value * 100) / 100 : value), 1)}
\`\`\`
`;
}
