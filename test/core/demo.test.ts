import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectOutput } from '../support/processes.mjs';
import { ROOT, type Sandbox, createSandbox, waitFor } from '../helpers/sandbox.js';

/**
 * `npm run demo` is `node examples/demo.mjs` after the build: the commands it tells the user to try
 * must work exactly as printed, from the clone, with rl-run on no PATH (right after `npm ci`).
 */
describe('the demo, and the commands it prints, work as printed', () => {
  let sandbox: Sandbox;
  let printed: string;
  let commands: string[];
  const shell = (line: string) => spawn('sh', ['-c', line], { cwd: ROOT, env: sandbox.env, stdio: ['ignore', 'pipe', 'pipe'] });

  beforeAll(async () => {
    sandbox = createSandbox();
    const demo = spawn(process.execPath, ['examples/demo.mjs', '--runs-dir', sandbox.runsDir], { cwd: ROOT, env: sandbox.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const result = await collectOutput(demo);
    expect(result.code, result.stderr).toBe(0);
    printed = result.stdout;
    commands = [...printed.matchAll(/^ {2}(\S.*?)\s+# /gm)].map((m) => m[1]!);
  });
  afterAll(() => sandbox.cleanup());

  it('starts a sweep of 2 learning rates × 3 seeds whose runs differ only in --lr and --seed', async () => {
    const cells = [...printed.matchAll(/^ {2}(train-\S+) {2}--lr (\S+) --seed (\d+)/gm)].map((m) => ({ id: m[1]!, lr: m[2]!, seed: m[3]! }));
    expect(cells.map((c) => `${c.lr}/${c.seed}`)).toEqual(['3e-4/1', '3e-4/2', '3e-4/3', '1e-3/1', '1e-3/2', '1e-3/3']);
    const strip = (id: string, lr: string, seed: string) => (sandbox.record(id).args as string[]).filter((x) => x !== lr && x !== seed);
    for (const c of cells) expect(strip(c.id, c.lr, c.seed)).toEqual(strip(cells[0]!.id, cells[0]!.lr, cells[0]!.seed));
    expect(commands.map((c) => c.replace(/^.*? (ls|sweep|logs|compare|top|stop)\b/, '$1'))).toEqual([
      'ls',
      'sweep status latest',
      'logs latest -f',
      'compare --sweep latest',
      'top',
      'stop --sweep latest',
    ]);
  });

  it('ls, as printed, lists the six runs running with their cells', async () => {
    const result = await collectOutput(shell(commands[0]!));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.match(/ running /g)).toHaveLength(6);
    expect(result.stdout).toMatch(/lr=1e-3 seed=3/);
  });

  it('sweep status latest, as printed, shows the grid', async () => {
    const result = await collectOutput(shell(commands[1]!));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^LR\s+SEED 1\s+SEED 2\s+SEED 3$/m);
    expect(result.stdout).toMatch(/^3e-4\s+running\s+running\s+running$/m);
    expect(result.stdout).toMatch(/^1e-3\s+running\s+running\s+running$/m);
  });

  it('logs latest -f, as printed, follows the run until Ctrl-C', async () => {
    const child = shell(`exec ${commands[2]}`);
    const output = collectOutput(child);
    let seen = '';
    child.stdout!.on('data', (chunk) => {
      seen += chunk;
    });
    await waitFor('a metric line from the followed run', () => /episodic_return/.test(seen));
    child.kill('SIGINT');
    expect((await output).code).toBe(0);
  });

  it('compare --sweep latest, as printed, groups the seeds of each learning rate', async () => {
    await waitFor('a metric in every run', async () => {
      const result = await collectOutput(shell(`${commands[3]} --json`));
      return result.code === 0 && JSON.parse(result.stdout).groups?.length === 2;
    }, 60_000);
    const result = await collectOutput(shell(commands[3]!));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^lr=0\.001\s+3\s/m);
    expect(result.stdout).toMatch(/^lr=0\.0003\s+3\s/m);
    expect(result.stdout).toMatch(/probability of improvement/);
  });

  it('top, as printed, off a terminal prints the table once', async () => {
    const result = await collectOutput(shell(commands[4]!));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.match(/running/g)!.length).toBeGreaterThanOrEqual(6);
  });

  it('stop --sweep latest, as printed, stops every run', async () => {
    const result = await collectOutput(shell(commands[5]!));
    expect(result.code, result.stderr).toBe(0);
    const ids = [...printed.matchAll(/^ {2}(train-\S+) {2}--lr/gm)].map((m) => m[1]!);
    expect(ids).toHaveLength(6);
    for (const id of ids) expect(sandbox.record(id).status.state).toBe('stopped');
  });
});
