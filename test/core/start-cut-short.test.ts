import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXAMPLE, type Sandbox, cliJson, createSandbox, isAlive, waitFor } from '../helpers/sandbox.js';

/**
 * A reboot in the middle of `rl-run start` (the reliability suite's simulated reboots found it): the
 * run directory existed a moment before its run.json, and everything that read the registry then
 * met a run with no record. The directory is now built under a hidden name and renamed into place
 * whole: here `start` is held, by the test-only pause point, after its record is written and before
 * the rename, and killed with SIGKILL there.
 */
describe('a start killed before its run is published', () => {
  let sandbox: Sandbox;
  beforeEach(() => {
    sandbox = createSandbox();
  });
  afterEach(() => sandbox.cleanup());

  it('leaves no run directory without its record, and clean --orphaned removes the hidden leftover once it is old', async () => {
    const hold = path.join(sandbox.dir, 'hold');
    mkdirSync(hold);
    const start = sandbox.spawnCli(['start', EXAMPLE, '--name', 'cut'], { env: { ...sandbox.env, RL_RUN_TEST_HOLD: hold } });
    start.on('error', () => {});
    await waitFor('start to have written the record', () => readdirSync(hold).some((f) => f.startsWith('run-dir-staged.')));
    start.kill('SIGKILL');
    await waitFor('start to be gone', () => start.exitCode !== null || start.signalCode !== null);
    expect(isAlive(start.pid!)).toBe(false);

    const entries = readdirSync(sandbox.runsDir);
    const leftovers = entries.filter((name) => name.startsWith('.unfinished-cut-'));
    expect(leftovers).toHaveLength(1);
    expect(existsSync(path.join(sandbox.runsDir, leftovers[0]!, 'run.json'))).toBe(true);
    // Nothing a reader lists: no directory under the run's own name, no run in ls, nothing damaged.
    expect(entries.filter((name) => name.startsWith('cut-'))).toEqual([]);
    expect(await cliJson(sandbox, ['ls', '--json'])).toEqual([]);

    // A young leftover may be a start still at work: left alone.
    const young = await cliJson<{ actions: { kind: string }[] }>(sandbox, ['clean', '--orphaned', '--dry-run', '--json']);
    expect(young.actions).toEqual([]);

    // Ten minutes later it is debris.
    const leftover = path.join(sandbox.runsDir, leftovers[0]!);
    const past = new Date(Date.now() - 10 * 60_000);
    for (const name of readdirSync(leftover)) utimesSync(path.join(leftover, name), past, past);
    utimesSync(leftover, past, past);
    const old = await cliJson<{ actions: { kind: string; dir?: string }[] }>(sandbox, ['clean', '--orphaned', '--dry-run', '--json']);
    expect(old.actions.map((a) => `${a.kind} ${a.dir}`)).toEqual([`remove-unfinished ${leftover}`]);
    const done = await sandbox.cli(['clean', '--orphaned', '--yes']);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toContain('removed 1 start cut short');
    expect(existsSync(leftover)).toBe(false);
  });

  it('a link planted under a leftover name is not followed by clean', async () => {
    const outside = path.join(sandbox.dir, 'outside');
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'keep.txt'), 'keep');
    mkdirSync(sandbox.runsDir, { recursive: true });
    const { symlinkSync } = await import('node:fs');
    symlinkSync(outside, path.join(sandbox.runsDir, '.unfinished-x-20260101-000000-abcdef'));
    const result = await cliJson<{ actions: unknown[] }>(sandbox, ['clean', '--orphaned', '--dry-run', '--json']);
    expect(result.actions).toEqual([]);
    expect(existsSync(path.join(outside, 'keep.txt'))).toBe(true);
  });
});
