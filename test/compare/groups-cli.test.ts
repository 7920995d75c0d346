import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcess } from '../helpers/in-process.js';
import { type Sandbox, cliJson, createSandbox, EXAMPLE, startRun, waitFor } from '../helpers/sandbox.js';
import { refIqm, refMean } from '../stats/reference.js';

const METRIC = 'rollout/ep_rew_mean';
const LABELS = ['lr=0.0003', 'lr=0.001'];

/**
 * The "done when": 2 learning rates × 5 seeds of examples/train.py, each started with
 * `rl-run start`, compare as 2 groups in the terminal, JSON and HTML.
 */
describe('rl-run compare groups 2 learning rates × 5 seeds of examples/train.py', () => {
  let sandbox: Sandbox;
  let here: Sandbox;
  const runs: { id: string; dir: string; lr: string; seed: number }[] = [];

  beforeAll(async () => {
    sandbox = createSandbox();
    for (const lr of ['3e-4', '1e-3']) {
      for (const seed of [1, 2, 3, 4, 5]) {
        const run = await startRun(sandbox, [EXAMPLE, '--', '--lr', lr, '--seed', String(seed), '--steps', '20480', '--step-time', '0']);
        runs.push({ ...run, lr, seed });
      }
    }
    for (const run of runs) await waitFor(`${run.id} to end`, () => sandbox.record(run.id).status.state === 'succeeded', 60_000);
    here = inProcess(sandbox);
  }, 180_000);
  afterAll(() => sandbox.cleanup());

  function lastCsvReward(dir: string): number {
    const lines = readFileSync(path.join(dir, 'progress.csv'), 'utf8').trim().split('\n');
    const column = lines[0]!.split(',').indexOf(METRIC);
    return Number(lines.at(-1)!.split(',')[column]);
  }
  const ids = (lr: string) => runs.filter((run) => run.lr === lr).map((run) => run.id);

  it('--json: two groups labelled by lr, their runs and scores, rliable statistics by the definitions; runs and differingParams as before', async () => {
    const json = await cliJson(here, ['compare', '--name', 'train', '--json', '--reps', '2000', '--poi-reps', '500']);
    expect(json.runs).toHaveLength(10);
    expect(json.differingParams.sort()).toEqual(['lr', 'seed']);
    expect(json.statistics).toEqual({ metric: METRIC, score: 'last', ciMethod: 'auto', confidence: 0.95, reps: 2000, poiReps: 500, randomState: 42 });
    // --name lists newest first: the lr=1e-3 runs come first.
    const byLabel = new Map(json.groups.map((g: any) => [g.label, g]));
    expect([...byLabel.keys()].sort()).toEqual(LABELS);
    for (const [label, lr] of [[LABELS[0], '3e-4'], [LABELS[1], '1e-3']] as const) {
      const group: any = byLabel.get(label);
      expect(group.params).toMatchObject({ lr: Number(lr), name: 'train' });
      expect(group.params).not.toHaveProperty('seed');
      expect([...group.runs].sort()).toEqual(ids(lr).sort());
      expect(group.n).toBe(5);
      const scores = group.runs.map((id: string) => lastCsvReward(runs.find((run) => run.id === id)!.dir));
      expect(group.tasks).toEqual({ [METRIC]: scores });
      expect(group.iqm.value).toBeCloseTo(refIqm([scores]), 9);
      expect(group.mean.value).toBeCloseTo(refMean([scores]), 9);
      expect(group.mean.ci[0]).toBeLessThan(group.mean.value);
      expect(group.mean.ci[1]).toBeGreaterThan(group.mean.value);
    }
    expect(json.probabilityOfImprovement).toHaveLength(1);
    const [poi] = json.probabilityOfImprovement;
    // lr=1e-3 learns faster in train.py: it beats every lr=3e-4 seed.
    expect(poi.x === LABELS[1] ? poi.value : 1 - poi.value).toBe(1);
  });

  it('the terminal: a row per group with n, IQM [lo, hi], mean [lo, hi], median; then P(X > Y); --no-group gives the per-run table', async () => {
    const result = await here.cli(['compare', '--name', 'train', '--reps', '2000', '--poi-reps', '500']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`${METRIC} (score: last; 10 runs in 2 groups; intervals: auto)`);
    expect(lines[1]).toMatch(/^GROUP\s+N\s+IQM \[95%\]\s+MEAN\s+MEDIAN$/);
    for (const label of LABELS) expect(result.stdout).toMatch(new RegExp(`^${label}\\s+5\\s+-?[\\d.]+ \\[-?[\\d.]+, -?[\\d.]+\\]\\s+-?[\\d.]+ \\[`, 'm'));
    expect(result.stdout).toContain('probability of improvement:');
    for (const run of runs) expect(result.stdout).not.toContain(run.id);
    const perRun = await here.cli(['compare', '--name', 'train', '--no-group', '--metrics', METRIC]);
    expect(perRun.stdout.split('\n')[0]).toMatch(/^ID\s+STATUS\s+DURATION\s+lr\s+seed\s/);
    expect(perRun.stdout.trim().split('\n')).toHaveLength(11);
  });

  it('fewer than 5 runs warns; --group-by seed groups across learning rates; --score at:STEP leaves out runs short of it and says so', async () => {
    const few = await here.cli(['compare', ...ids('3e-4').slice(0, 3), ...ids('1e-3').slice(0, 3), '--reps', '500', '--poi-reps', '100']);
    expect(few.stderr).toContain('rl-run: warning: group lr=0.0003 has 3 runs: intervals from fewer than 5 runs are rough (add seeds)');
    const bySeed = await cliJson(here, ['compare', '--name', 'train', '--group-by', 'seed', '--json', '--reps', '500', '--poi-reps', '100']);
    expect(bySeed.groups.map((g: any) => [g.label, g.n])).toEqual([5, 4, 3, 2, 1].map((seed) => [`seed=${seed}`, 2]));
    const late = await here.cli(['compare', '--name', 'train', '--score', 'at:30000', '--reps', '500', '--poi-reps', '100']);
    expect(late.code).toBe(0);
    expect(late.stderr).toContain(`${runs[0]!.id} (lr=0.0003) did not reach step 30000 (its last is 20480): left out of ${METRIC} (--score at:30000)`);
    expect(late.stdout).toContain('(no group has a score)');
  });

  it('--csv stays the per-run table; --csv --groups is the group table', async () => {
    const csv = await here.cli(['compare', '--name', 'train', '--csv', '--metrics', METRIC]);
    expect(csv.stdout.split('\n')[0]).toBe(`id,status,duration,lr,seed,${METRIC} last,${METRIC} best`);
    const groups = await here.cli(['compare', '--name', 'train', '--csv', '--groups', '--reps', '500', '--poi-reps', '100']);
    const [header, ...rows] = groups.stdout.trim().split('\n');
    expect(header).toBe('metric,group,name,script,lr,steps,step-time,n,tasks,iqm,iqm low,iqm high,mean,mean low,mean high,median,median low,median high,optimalityGap,optimalityGap low,optimalityGap high');
    expect(rows.map((row) => row.split(',').slice(0, 9).join(','))).toEqual([`${METRIC},lr=0.001,train,train.py,0.001,20480,0,5,1`, `${METRIC},lr=0.0003,train,train.py,0.0003,20480,0,5,1`]);
  });

  it('--plot draws one mean per group; --html from the bundled CLI inlines uPlot and charts the groups', async () => {
    const plot = await here.cli(['compare', '--name', 'train', '--plot', METRIC, '--reps', '500', '--poi-reps', '100']);
    expect(plot.stdout).toContain('   * lr=0.001 (mean of 5)');
    expect(plot.stdout).toContain('   + lr=0.0003 (mean of 5)');
    const html = await sandbox.cli(['compare', '--name', 'train', '--html', 'report.html', '--smooth', '0.6', '--band', 'std', '--reps', '500', '--poi-reps', '100']);
    expect(html.code).toBe(0);
    const page = readFileSync(path.join(sandbox.dir, 'report.html'), 'utf8');
    expect(page).toContain('uPlot');
    const data = JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(page)![1]!);
    expect(data).toMatchObject({ band: 'std', smooth: 0.6 });
    expect(data.groups.map((g: any) => [g.label, g.runs.length])).toEqual([
      ['lr=0.001', 5],
      ['lr=0.0003', 5],
    ]);
    expect(page).toContain('<section class="stats" data-metric="rollout/ep_rew_mean">');
  });

  it.each<[string[], RegExp]>([
    [['--score', 'best'], /^rl-run: --score best: expected last, mean-last:N \(N >= 1\) or at:STEP/],
    [['--smooth', '1'], /^rl-run: --smooth 1: expected a weight 0 <= W < 1/],
    [['--band', 'wide'], /band.*wide/i],
    [['--no-group', '--group-by', 'lr'], /^rl-run: --no-group cannot go with --group-by, --task-by or --groups/],
    [['--groups'], /^rl-run: --groups is a --csv table: add --csv/],
    [['--normalize', 'absent.csv'], /^rl-run: --normalize absent.csv: no such file/],
    [['--reps', '0'], /^rl-run: --reps 0: expected a whole number >= 1/],
    [['--confidence', '95'], /^rl-run: --confidence 95: expected a number between 0 and 1/],
    [['--metric', 'nope'], /^rl-run: --metric nope: no run has it/],
    [['--ci-method', 'exact'], /ci-method.*exact/i],
  ])('bad flags exit 2 with one line: %j', async (args, message) => {
    const result = await here.cli(['compare', '--name', 'train', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });
});
