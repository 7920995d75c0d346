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

  it('starts two runs that differ only in --lr', async () => {
    const ids = [...printed.matchAll(/^ {2}(train-\S+) {2}--lr (\S+)/gm)].map((m) => [m[1]!, m[2]!]);
    expect(ids.map(([, lr]) => lr)).toEqual(['3e-4', '1e-3']);
    const [a, b] = ids.map(([id]) => sandbox.record(id!)) as [Record<string, any>, Record<string, any>];
    expect(a.args.filter((x: string) => x !== '3e-4')).toEqual(b.args.filter((x: string) => x !== '1e-3'));
    expect(commands.map((c) => c.replace(/^.*? (ls|logs|compare|stop)\b/, '$1'))).toEqual(['ls', 'logs latest -f', 'compare latest latest~1', 'stop latest']);
  });

  it('ls, as printed, lists both runs running', async () => {
    const result = await collectOutput(shell(commands[0]!));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.match(/ running /g)).toHaveLength(2);
  });

  it('logs latest -f, as printed, follows the run until Ctrl-C', async () => {
    const child = shell(`exec ${commands[1]}`);
    const output = collectOutput(child);
    let seen = '';
    child.stdout!.on('data', (chunk) => {
      seen += chunk;
    });
    await waitFor('a metric line from the followed run', () => /episodic_return/.test(seen));
    child.kill('SIGINT');
    expect((await output).code).toBe(0);
  });

  it('compare latest latest~1, as printed, shows the two learning rates', async () => {
    const result = await collectOutput(shell(commands[2]!));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/\blr\b/);
    expect(result.stdout).toMatch(/0\.001\b/);
    expect(result.stdout).toMatch(/0\.0003\b/);
  });

  it('stop latest, as printed, stops the run', async () => {
    const result = await collectOutput(shell(commands[3]!));
    expect(result.code, result.stderr).toBe(0);
    const latest = /^ {2}(train-\S+) {2}--lr 1e-3/m.exec(printed)![1]!;
    expect(sandbox.record(latest).status.state).toBe('stopped');
  });
});
