import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectOutput, processesWith } from '../support/processes.mjs';
import { EXAMPLE, type Sandbox, createSandbox, waitFor } from '../helpers/sandbox.js';

/**
 * Ctrl-C during `rl-run start`, sent for real (SIGINT to the CLI, as a terminal does) at several
 * moments of the start. Whatever the moment, the user must learn the outcome: either the start
 * completed and printed the run id (and the run is running), or the run was taken down and its
 * record says failed, `start interrupted`, with no process of it left.
 */
describe('Ctrl-C during start leaves no hidden run', () => {
  let sandbox: Sandbox;
  beforeAll(() => {
    sandbox = createSandbox();
  });
  afterAll(() => sandbox.cleanup());
  const outcomes: string[] = [];

  const runDirOf = (name: string) => readdirSync(sandbox.runsDir).find((entry) => entry.startsWith(`${name}-`));
  const recordOf = (name: string) => {
    const dir = existsSync(sandbox.runsDir) ? runDirOf(name) : undefined;
    if (!dir) return null;
    try {
      return JSON.parse(readFileSync(path.join(sandbox.runsDir, dir, 'run.json'), 'utf8'));
    } catch {
      return null;
    }
  };

  // The moments to press Ctrl-C at, each found by polling for what the start has done so far.
  const MOMENTS: [string, (name: string) => unknown][] = [
    ['as soon as the CLI is started', () => true],
    ['when the run directory appears', (name) => existsSync(sandbox.runsDir) && runDirOf(name)],
    ['when the record says starting', (name) => recordOf(name)?.status.state === 'starting'],
    ['when pm2 has started the runner', (name) => {
      const dir = existsSync(sandbox.runsDir) ? runDirOf(name) : undefined;
      return dir && existsSync(path.join(sandbox.runsDir, dir, 'runner.log'));
    }],
    ['when the record says running', (name) => recordOf(name)?.status.state === 'running'],
  ];

  it.each(MOMENTS.map(([moment, ready], i) => [moment, ready, `int${i}`] as const))('Ctrl-C %s', async (_moment, ready, name) => {
    const child = sandbox.spawnCli(['start', EXAMPLE, '--name', name, '--', '--steps', '10000000', '--step-time', '0.01']);
    const output = collectOutput(child);
    await waitFor('the moment to press Ctrl-C', () => ready(name) || child.exitCode !== null, 30_000);
    child.kill('SIGINT');
    const { code, stdout, stderr } = await output;

    outcomes.push(stderr.trim().split('\n').at(-1) ?? `code ${code}`);
    const started = /^started (\S+)$/m.exec(stdout)?.[1];
    if (started) {
      // The start won: it said so, and the run is running.
      expect(recordOf(name)).toMatchObject({ id: started, status: { state: 'running' } });
      return;
    }
    const record = recordOf(name);
    if (record === null && stderr === '') {
      // Ctrl-C before rl-run had loaded: Node's own exit, with nothing created.
      expect(code).toBeNull();
      expect(existsSync(sandbox.runsDir) && runDirOf(name)).toBeFalsy();
      return;
    }
    // The run was taken down: the user is told, the record says why, nothing of it runs.
    expect(code).toBe(130);
    const last = stderr.trim().split('\n').at(-1);
    expect(last).toMatch(/^rl-run: start interrupted: /);
    if (record === null) {
      expect(last).toMatch(/nothing was started/);
      return;
    }
    expect(last).toContain(record.id);
    expect(record.status).toMatchObject({ state: 'failed', reason: 'start interrupted' });
    expect(processesWith(`RL_RUN_ID=${record.id}\0`)).toEqual([]);
  });

  it('the moments before the run is up took it down, so the take-down was exercised', () => {
    expect(outcomes.filter((line) => /was (stopped|taken down|not started)/.test(line)).length, outcomes.join('\n')).toBeGreaterThanOrEqual(2);
  });
});
