import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, type Sandbox, createSandbox, startRun, waitFor } from '../helpers/sandbox.js';

const TRAIN_PY = `
import sys, time
step = 0
while True:
    step += 1000
    print(f"step={step} reward={step / 1000:.1f}", flush=True)
    time.sleep(0.1)
`;

describe('rl-run top in a real terminal (tmux)', () => {
  let sandbox: Sandbox;
  // A private tmux server: its own socket name, no user config; killed in teardown.
  const socket = `rl-run-top-${process.pid}-${randomBytes(3).toString('hex')}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { env: sandbox.env, encoding: 'utf8' });
  const alive = () => spawnSync('tmux', ['-L', socket, 'has-session', '-t', 'top'], { env: sandbox.env }).status === 0;
  const screen = () => tmux('capture-pane', '-p', '-t', 'top');
  const showing = (what: string, test: (text: string) => boolean) =>
    waitFor(what, () => {
      const text = screen();
      return test(text) && text;
    }, 30_000);

  beforeAll(() => {
    sandbox = createSandbox();
  });
  afterAll(async () => {
    spawnSync('tmux', ['-L', socket, 'kill-server'], { env: sandbox.env });
    await sandbox.cleanup();
  });

  it('shows live and ended runs with progress, opens logs, stops a run after asking, and quits', async () => {
    const done = await startRun(sandbox, [sandbox.write('done.py', 'print("finished", flush=True)\n')]);
    await waitFor('the short run to end', () => sandbox.record(done.id).status.state === 'succeeded');
    const run = await startRun(sandbox, [sandbox.write('train.py', TRAIN_PY), '--', '--total-timesteps', '100000000']);
    tmux('new-session', '-d', '-s', 'top', '-x', '200', '-y', '40', '-c', sandbox.dir, `${process.execPath} ${CLI} top --interval 300ms`);

    const first = await showing('the running run with its step, total, ETA and CPU', (text) => {
      const line = text.split('\n').find((l) => l.includes(run.id));
      return Boolean(line && /\/100M/.test(line) && /reward \d/.test(line) && /\d+%/.test(line) && /\d+[smh]/.test(line));
    });
    expect(first).toContain('STEPS/S');
    expect(first.split('\n').find((l) => l.includes(run.id))).toMatch(/^> /);
    const endedLine = first.split('\n').find((l) => l.includes(done.id));
    expect(endedLine).toMatch(/succeeded\s+\S+\s+0\s/);

    tmux('send-keys', '-t', 'top', 'l');
    await showing('the last log lines', (text) => text.includes(`last lines of ${run.id}`) && /step=\d+ reward=/.test(text));
    tmux('send-keys', '-t', 'top', 'l');
    await showing('the log closed', (text) => !text.includes('last lines of'));

    tmux('send-keys', '-t', 'top', 'Down');
    await showing('the ended run selected', (text) => /^> .*\b/.test(text.split('\n').find((l) => l.includes(done.id)) ?? ''));
    tmux('send-keys', '-t', 'top', 'Up');
    await showing('the live run selected again', (text) => (text.split('\n').find((l) => l.includes(run.id)) ?? '').startsWith('> '));

    tmux('send-keys', '-t', 'top', 's');
    await showing('the question', (text) => text.includes(`stop ${run.id}? (y/n)`));
    tmux('send-keys', '-t', 'top', 'n');
    await showing('the answer no', (text) => text.includes('not stopped'));
    expect(sandbox.record(run.id).status.state).toBe('running');

    tmux('send-keys', '-t', 'top', 's');
    await showing('the question again', (text) => text.includes(`stop ${run.id}? (y/n)`));
    tmux('send-keys', '-t', 'top', 'y');
    await waitFor('the run to be stopped', () => sandbox.record(run.id).status.state === 'stopped', 40_000);
    await showing('the stop reported, the run among the ended', (text) => text.includes(`stopped ${run.id}`) && /stopped\s+\S+\s+\S*\s/.test(text.split('\n').find((l) => l.includes(run.id)) ?? ''));

    tmux('send-keys', '-t', 'top', 'q');
    await waitFor('top to exit', () => !alive());
  });

  it('prints the table once when stdout is not a terminal', async () => {
    const result = await sandbox.cli(['watch']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ID\s+STATUS\s+TIME\s+EXIT\s+ENDED/);
    expect(result.stdout).not.toContain('\x1b[');
  });
});
