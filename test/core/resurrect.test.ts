import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectOutput } from '../support/processes.mjs';
import { EXAMPLE, ROOT, type Sandbox, createSandbox, isAlive, pm2, startRun, waitFor } from '../helpers/sandbox.js';

const RUNNER = path.join(ROOT, 'dist', 'runner', 'main.js');

/** Everything a revived runner could touch, byte for byte. */
function snapshot(dir: string): Record<string, string> {
  const read = (name: string) => readFileSync(path.join(dir, name), 'utf8');
  return { record: read('run.json'), stdout: read('stdout.log'), stderr: read('stderr.log') };
}

/**
 * `pm2 startup` runs `pm2 resurrect` at boot: it starts again every process of the last `pm2 save`,
 * our runners included, with their old arguments: the old run directory.
 */
describe('a runner started for a run that is not starting', () => {
  let sandbox: Sandbox;
  beforeAll(() => {
    sandbox = createSandbox();
  });
  afterAll(() => sandbox.cleanup());

  it('pm2 save, pm2 kill, pm2 resurrect: the revived runners leave their ended runs untouched and say why in runner.log', async () => {
    const long = ['--', '--steps', '100000000', '--step-time', '0.05'];
    const stopped = await startRun(sandbox, [EXAMPLE, '--name', 'stopped', ...long]);
    const killed = await startRun(sandbox, [EXAMPLE, '--name', 'killed', ...long]);
    for (const run of [stopped, killed]) {
      await waitFor('output', () => readFileSync(path.join(run.dir, 'stdout.log'), 'utf8').includes('global_step='));
    }
    pm2(sandbox, 'save');
    expect((await sandbox.cli(['stop', stopped.id])).code).toBe(0);
    // pm2 kill stops every process it holds (our runner records the end) and exits.
    pm2(sandbox, 'kill');
    const killedRecord = sandbox.record(killed.id);
    await waitFor('the killed run to end', () => !isAlive(killedRecord.runner.pid) && !isAlive(killedRecord.pid));
    expect(sandbox.record(stopped.id).status.state).toBe('stopped');
    expect(sandbox.record(killed.id).status.state).toBe('failed');
    const before = [snapshot(stopped.dir), snapshot(killed.dir)];

    pm2(sandbox, 'resurrect');
    const jlist = () => JSON.parse(pm2(sandbox, 'jlist').split('\n').find((line) => line.startsWith('[')) ?? '[]') as { name: string; pm2_env: { status: string } }[];
    await waitFor('both revived runners to exit', () => {
      const entries = jlist();
      return entries.length === 2 && entries.every((e) => e.pm2_env.status === 'stopped');
    });
    expect([snapshot(stopped.dir), snapshot(killed.dir)]).toEqual(before);
    for (const run of [stopped, killed]) {
      const state = sandbox.record(run.id).status.state;
      expect(readFileSync(path.join(run.dir, 'runner.log'), 'utf8')).toContain(
        `not starting run ${run.id}: its record says ${state}, not starting (pm2 resurrect of an old run?); nothing was changed`,
      );
    }
  });

  it('a second runner for a running run exits without touching it', async () => {
    const run = await startRun(sandbox, [EXAMPLE, '--name', 'second', '--', '--steps', '100000000', '--step-time', '0.05']);
    await waitFor('output', () => readFileSync(path.join(run.dir, 'stdout.log'), 'utf8').includes('global_step='));
    const record = readFileSync(path.join(run.dir, 'run.json'), 'utf8');
    const child = spawn(process.execPath, [RUNNER, run.dir], { env: sandbox.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const result = await collectOutput(child);
    expect(result.stdout).toContain(`not starting run ${run.id}: its record says running, not starting`);
    expect(result.code).toBe(0);
    expect(readFileSync(path.join(run.dir, 'run.json'), 'utf8')).toBe(record);
    expect(sandbox.record(run.id).status.state).toBe('running');
    expect((await sandbox.cli(['stop', run.id])).code).toBe(0);
  });
});
