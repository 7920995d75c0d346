import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcess } from '../helpers/in-process.js';
import { type Sandbox, cliJson, createSandbox, startRun, waitFor } from '../helpers/sandbox.js';

/**
 * The "done when": two runs of the example script, started through the built CLI, then
 * compared through rl-run's main() in this process (reading runs needs no process of its own).
 */
describe('rl-run compare on two runs of examples/train.py', () => {
  let sandbox: Sandbox;
  let here: Sandbox;
  let slow: { id: string; dir: string };
  let fast: { id: string; dir: string };

  beforeAll(async () => {
    sandbox = createSandbox();
    const script = path.join(import.meta.dirname, '../../examples/train.py');
    const common = ['--steps', '40960', '--step-time', '0.005'];
    slow = await startRun(sandbox, [script, '--', '--lr', '3e-4', ...common]);
    fast = await startRun(sandbox, [script, '--', '--lr', '1e-3', ...common]);
    for (const run of [slow, fast]) await waitFor(`${run.id} to end`, () => sandbox.record(run.id).status.state === 'succeeded');
    here = inProcess(sandbox);
  });
  afterAll(() => sandbox.cleanup());

  function lastCsvReward(dir: string): number {
    const lines = readFileSync(path.join(dir, 'progress.csv'), 'utf8').trim().split('\n');
    const column = lines[0]!.split(',').indexOf('rollout/ep_rew_mean');
    return Number(lines.at(-1)!.split(',')[column]);
  }

  it('--json: lr is the differing parameter, and the reward is the last row of each progress.csv', async () => {
    const result = await cliJson(here, ['compare', slow.id, fast.id, '--json']);
    expect(result.differingParams).toEqual(['lr']);
    expect(result.runs.map((r: { id: string; params: { lr: number } }) => [r.id, r.params.lr])).toEqual([
      [slow.id, 0.0003],
      [fast.id, 0.001],
    ]);
    for (const [run, json] of [[slow, result.runs[0]], [fast, result.runs[1]]] as const) {
      expect(json.metrics['rollout/ep_rew_mean']).toMatchObject({ last: lastCsvReward(run.dir), count: 20, lastStep: 40960 });
    }
    expect(result.runs[1].metrics['rollout/ep_rew_mean'].last).toBeGreaterThan(result.runs[0].metrics['rollout/ep_rew_mean'].last);
  });

  it('the table shows lr and the reward; --sort puts the better run first', async () => {
    const result = await here.cli(['compare', '--name', 'train', '--sort', 'rollout/ep_rew_mean', '--metrics', 'rollout/ep_rew_mean']);
    expect(result.stderr).toBe('');
    const [header, first, second] = result.stdout.trim().split('\n');
    expect(header).toMatch(/^ID\s+STATUS\s+DURATION\s+lr\s+rollout\/ep_rew_mean\s+best$/);
    expect(first).toContain(fast.id);
    expect(first).toMatch(/\s0\.001\s/);
    expect(second).toContain(slow.id);
    expect(second).toMatch(/\s0\.0003\s/);
  });

  it('--csv, --plot and --html', async () => {
    const csv = await here.cli(['compare', '--last', '2', '--csv', '--metrics', 'rollout/ep_rew_mean']);
    expect(csv.stdout.split('\n')[0]).toBe('id,status,duration,lr,rollout/ep_rew_mean last,rollout/ep_rew_mean best');
    const plot = await here.cli(['compare', slow.id, fast.id, '--plot', 'rollout/ep_rew_mean', '--html', 'report.html']);
    expect(plot.code).toBe(0);
    expect(plot.stdout).toContain(`   * ${slow.id}`);
    expect(plot.stdout).toContain(`   + ${fast.id}`);
    expect(readFileSync(path.join(sandbox.dir, 'report.html'), 'utf8')).toContain('<section class="chart" data-metric="rollout/ep_rew_mean"');
  });

  it('rl-run metrics lists names, sources and values', async () => {
    const result = await here.cli(['metrics', fast.id]);
    expect(result.stdout).toMatch(/^rollout\/ep_rew_mean\s+csv\s+progress\.csv\s+20\s/m);
    expect(result.stdout).toMatch(/^episodic_return\s+stdout\s+stdout\.log\s+20\s/m);
  });

  it.each<[string[], RegExp]>([
    [['compare'], /give the runs to compare/],
    [['compare', 'latest', '--sort', 'nope'], /no run has a metric 'nope'/],
    [['compare', '--last', '0'], /--last 0: expected a whole number >= 1/],
    [['compare', '--tag', 'absent'], /no runs match --tag absent/],
  ])('usage errors: %j', async (args, message) => {
    const result = await here.cli(args);
    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(2);
  });
});
