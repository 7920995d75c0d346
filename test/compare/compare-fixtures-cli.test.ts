import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, cliJson, createSandbox, startRun, waitFor } from '../helpers/sandbox.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/metrics');
const REPLAY = path.resolve(import.meta.dirname, '../support/replay_log.py');

/** Two real runs (pm2, Python) that replay saved training output: a config line, a step series, an eval line, an SB3 progress.csv. */
describe('metrics and compare on replayed training output', () => {
  let sandbox: Sandbox;
  const ids: string[] = [];

  beforeAll(async () => {
    sandbox = createSandbox();
    for (const lr of ['1', '2']) {
      const args = ['--stdout', path.join(FIXTURES, 'written/eval_stdout.log'), '--copy', `${path.join(FIXTURES, 'sb3_progress/acrobot_ppo_eval_progress.csv')}:progress.csv`, '--lr', lr];
      const run = await startRun(sandbox, [REPLAY, '--', ...args]);
      ids.push(run.id);
    }
    for (const id of ids) await waitFor(`${id} to end`, () => sandbox.record(id).status.state === 'succeeded');
  });
  afterAll(() => sandbox.cleanup());

  it('metrics <run>: one-point series in a Constants section, the eval line apart from the training reward', async () => {
    const result = await sandbox.cli(['metrics', ids[0]!]);
    expect(result.code).toBe(0);
    const [metrics, constants] = result.stdout.split('\n\n');
    expect(metrics).toMatch(/^reward\s+stdout\s+stdout\.log\s+20\s/m);
    expect(metrics).not.toMatch(/^(config_lr|seed|reward\/no_step)\s/m);
    expect(constants).toMatch(/^Constants \(logged once\):\nNAME\s+KIND\s+SOURCE\s+VALUE\n/);
    expect(constants).toMatch(/^config_lr\s+stdout\s+stdout\.log\s+0\.001$/m);
    expect(constants).toMatch(/^reward\/no_step\s+stdout\s+stdout\.log\s+151\.3$/m);
    const json = await cliJson(sandbox, ['metrics', ids[0]!, '--json']);
    expect(json.constants.map((c: { name: string }) => c.name)).toEqual(['config_lr', 'seed', 'reward/no_step']);
  });

  it('compare --json puts constants under each run\'s constants; --csv carries every metric when piped', async () => {
    const json = await cliJson(sandbox, ['compare', ...ids, '--json']);
    expect(json.runs[0].constants).toEqual({ config_lr: 0.001, seed: 0, 'reward/no_step': 151.3 });
    expect(Object.keys(json.runs[0].metrics)).not.toContain('seed');
    const shared = Object.keys(json.runs[0].metrics).filter((name) => name in json.runs[1].metrics);
    expect(shared.length).toBeGreaterThan(15);
    const csv = await sandbox.cli(['compare', ...ids, '--csv']);
    const header = csv.stdout.split('\n')[0]!.split(',');
    for (const name of shared) expect(header).toContain(`${name} last`);
    const table = await sandbox.cli(['compare', ...ids]);
    // The terminal table (120 columns when piped) keeps what fits, the smoothed evaluation reward first.
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+STATUS\s+DURATION\s+lr\s+eval\/mean_reward\s+best$/);
  });
});
