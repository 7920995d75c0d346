import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { generatedRecord } from '../lib/registry.mjs';
import { ROOT, cliPath, createSandbox, rlRun, runOk } from '../lib/sandbox.mjs';
import { alternate, summarize } from '../lib/stats.mjs';

const PRELOAD = pathToFileURL(path.join(ROOT, 'bench', 'lib', 'maxrss-preload.mjs')).href;

const dist = (file) => pathToFileURL(path.resolve(ROOT, process.env.BENCH_DIST ?? 'dist', file)).href;

/**
 * Issue 13's statistics: (1) how often each method's 95% interval for a single task's mean covers
 * the true mean, by simulation on normal scores; (2) `stats --scores` on 2 groups × 10 runs × 57
 * tasks with 50,000 repetitions; (3) what grouping and its statistics add to `compare` of 3 groups
 * × 5 seeds on one task, over the same compare with --no-group (which reads the same metrics).
 */
export async function statsSuite({ experiments, coverageReps, reps }) {
  return { coverage: await coverage({ experiments, reps: coverageReps }), scores: await scoresCli(reps), compare: await compareGroups(reps) };
}

async function coverage({ experiments, reps }) {
  const { groupStatistics, DEFAULT_STATS_OPTIONS } = await import(dist('stats/summary.js'));
  const { seededRandom } = await import(dist('stats/random.js'));
  const random = seededRandom(20261127);
  // Box–Muller: standard normal scores, so the true mean is 0.
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const results = [];
  for (const n of [3, 5, 10]) {
    const hits = { auto: 0, rliable: 0, normalSe: 0 };
    for (let e = 0; e < experiments; e++) {
      const scores = Array.from({ length: n }, normal);
      const group = [{ label: 'g', runs: scores.map((_, i) => String(i)), tasks: { t: scores } }];
      for (const method of ['auto', 'rliable']) {
        const [stats] = groupStatistics(group, { ...DEFAULT_STATS_OPTIONS, ciMethod: method, reps, randomState: e }).groups;
        if (stats.mean.ci[0] <= 0 && 0 <= stats.mean.ci[1]) hits[method]++;
      }
      // What Aim draws as a "95% CI": mean ± 1.96·s/√n.
      const mean = scores.reduce((a, b) => a + b, 0) / n;
      const se = Math.sqrt(scores.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) / n);
      if (Math.abs(mean) <= 1.96 * se) hits.normalSe++;
    }
    results.push({ n, experiments, reps, auto: hits.auto / experiments, rliable: hits.rliable / experiments, normalSe: hits.normalSe / experiments });
  }
  return results;
}

async function scoresCli(reps) {
  const sandbox = createSandbox('stats');
  try {
    const lines = ['group,task,run,score'];
    const { seededRandom } = await import(dist('stats/random.js'));
    const next = seededRandom(57);
    for (const group of ['ppo', 'sac']) for (let t = 0; t < 57; t++) for (let r = 0; r < 10; r++) lines.push(`${group},game${t},${r},${(next() * 2 + (group === 'sac' ? 0.1 : 0)).toFixed(6)}`);
    const file = path.join(sandbox.dir, 'scores.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const cpuFile = path.join(sandbox.dir, 'cpu');
    const env = { ...sandbox.env(), BENCH_CPU_FILE: cpuFile };
    const cpu = [];
    const timings = await alternate(
      {
        rlRun: async () => {
          // Its CPU time too: on a shared machine the wall time says as much about the neighbours.
          const { ms } = await runOk(process.execPath, ['--import', PRELOAD, cliPath(), 'stats', '--scores', file, '--json'], { env, cwd: sandbox.dir });
          cpu.push(Number(readFileSync(cpuFile, 'utf8')));
          return ms;
        },
      },
      reps,
    );
    return { ...timings, cpu: summarize(cpu) };
  } finally {
    await sandbox.cleanup();
  }
}

async function compareGroups(reps) {
  const sandbox = createSandbox('compare-groups');
  try {
    const runsDir = path.join(sandbox.dir, 'runs');
    mkdirSync(runsDir, { recursive: true });
    let i = 0;
    for (const lr of ['1e-4', '3e-4', '1e-3']) {
      for (let seed = 1; seed <= 5; seed++, i++) {
        const record = { ...generatedRecord(i), name: 'grp', script: '/home/user/project/train.py', tags: ['grp'], args: ['--lr', lr, '--seed', String(seed)] };
        record.command = ['python3', record.script, ...record.args];
        const dir = path.join(runsDir, record.id);
        mkdirSync(dir);
        writeFileSync(path.join(dir, 'run.json'), JSON.stringify(record));
        const rows = ['time/total_timesteps,rollout/ep_rew_mean,train/loss'];
        for (let step = 1; step <= 500; step++) rows.push(`${step * 2048},${(Math.log(step) * Number(lr) * 1e4 + seed).toFixed(3)},${(1 / step).toFixed(5)}`);
        writeFileSync(path.join(dir, 'progress.csv'), `${rows.join('\n')}\n`);
      }
    }
    const options = { env: sandbox.env(), cwd: sandbox.dir };
    const args = ['compare', '--tag', 'grp', '--runs-dir', runsDir, '--json'];
    // Both read the same metrics (and warm the same cache) first.
    await rlRun([...args, '--no-group'], options);
    const grouped = await rlRun(args, options);
    const groups = JSON.parse(grouped.stdout).groups.length;
    if (groups !== 3) throw new Error(`compare found ${groups} groups, not 3`);
    const timings = await alternate(
      {
        grouped: async () => (await rlRun(args, options)).ms,
        perRun: async () => (await rlRun([...args, '--no-group'], options)).ms,
      },
      reps,
    );
    return { ...timings, groups };
  } finally {
    await sandbox.cleanup();
  }
}
