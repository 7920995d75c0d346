import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcess } from '../helpers/in-process.js';
import { EXAMPLE, type Sandbox, createSandbox, processesWithPm2Home, startRun, waitFor } from '../helpers/sandbox.js';

describe('bad input gets one line, an exit code, and changes nothing', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = createSandbox();
    const run = await startRun(sandbox, [EXAMPLE, '--name', 'known', '--', '--steps', '2048', '--step-time', '0']);
    await waitFor('the run to end', () => sandbox.record(run.id).status.state === 'succeeded');
  });
  afterAll(() => sandbox.cleanup());

  it.each([
    [['start', 'missing.py'], 2, /script missing\.py not found in .*: check the path/],
    [['start', EXAMPLE, '--interpreter', 'python9'], 2, /interpreter 'python9' is not installed or not on PATH: install it, pass --interpreter/],
    [['start', EXAMPLE, '--env', 'NOEQUALS'], 2, /--env NOEQUALS: expected KEY=VALUE/],
    [['start'], 2, /nothing to start/],
    [['start', '--', 'no-such-program-xyz'], 2, /'no-such-program-xyz' is not installed or not on PATH/],
    [['logs', 'nope'], 2, /no run matches 'nope'/],
    [['logs', 'knwn'], 2, /no run matches 'knwn': did you mean known-/],
    [['show', 'latest~5'], 2, /no run matches 'latest~5'/],
    [['stop', 'known', 'nope'], 2, /no run matches 'nope'/],
    [['stop', 'known', '--timeout', 'soon'], 2, /--timeout soon: expected a duration such as 30s/],
    [['ls', '--status', 'done'], 2, /--status done: expected one of queued, starting, pending, running/],
    [['ls', '--limit', '0'], 2, /--limit 0: expected a whole number >= 1/],
    [['logs', 'known', '-n', '-3'], 2, /--lines -3: expected a whole number >= 0/],
    [['frobnicate'], 2, /unknown command 'frobnicate'/],
    [[], 2, /give a command/],
  ])('rl-run %j → exit %d', async (args, code, message) => {
    const before = readdirSync(sandbox.runsDir).sort();
    // In-process (test/helpers/in-process.ts): each is refused before anything a process boundary changes.
    const result = await inProcess(sandbox).cli(args);
    expect(result).toMatchObject({ code, stderr: expect.stringMatching(message) });
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(sandbox.runsDir).sort()).toEqual(before);
  });

  it('--debug adds the stack trace', async () => {
    const result = await sandbox.cli(['logs', 'nope', '--debug']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/\n\s+at /);
  });

  it.each([
    ['a syntax error', 'runs.config.ts', 'export default { runsDir: ', /cannot load config: .*runs\.config\.ts/],
    ['an unknown key', 'runs.config.ts', "export default { runDir: 'x' };", /bad config in .*runs\.config\.ts: runDir: unknown key/],
    ['a wrong type', 'runs.config.json', '{ "stop": { "timeoutMs": "30s" } }', /bad config in .*runs\.config\.json: stop\.timeoutMs: expected a whole number >= 0, got "30s"/],
    ['a runsDir that is a file', 'runs.config.json', '{ "runsDir": "afile" }', /runsDir: expected a directory, but .*afile is a file/],
  ])('a config with %s: exit 2 naming the file and key, nothing started or written', async (_what, file, text, message) => {
    const project = path.join(sandbox.dir, `project-${file}-${Math.random().toString(36).slice(2)}`);
    mkdirSync(project);
    writeFileSync(path.join(project, 'afile'), '');
    writeFileSync(path.join(project, file), text);
    const daemonsBefore = processesWithPm2Home(sandbox.pm2Home).length;
    const result = await sandbox.cli(['start', EXAMPLE], { cwd: project });
    expect(result).toMatchObject({ code: 2, stderr: expect.stringMatching(message) });
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(readdirSync(project).sort()).toEqual(['afile', file].sort());
    expect(processesWithPm2Home(sandbox.pm2Home).length).toBe(daemonsBefore);
  });

  it('an unwritable runs directory: exit 2, a message saying what to do', async () => {
    const project = path.join(sandbox.dir, 'readonly-project');
    mkdirSync(project);
    // Under a regular file, so not even root can create it (mkdir -p on /proc loops forever in Node 20).
    writeFileSync(path.join(project, 'plain-file'), '');
    writeFileSync(path.join(project, 'runs.config.json'), '{ "runsDir": "plain-file/runs" }');
    const result = await sandbox.cli(['start', EXAMPLE], { cwd: project });
    expect(result).toMatchObject({ code: 2, stderr: expect.stringMatching(/cannot create the runs directory .*plain-file\/runs \(ENOTDIR\): set runsDir/) });
    expect(readdirSync(project).sort()).toEqual(['plain-file', 'runs.config.json']);
  });

  it('a pm2 daemon that cannot start: exit 1, one line saying what to do, the record failed, not running', async () => {
    const blocker = sandbox.write('not-a-dir', '');
    const result = await sandbox.cli(['start', EXAMPLE, '--name', 'nodaemon'], { env: { PM2_HOME: path.join(blocker, 'pm2') } });
    expect(result).toMatchObject({ code: 1, stderr: expect.stringMatching(/cannot reach or start the pm2 daemon \(PM2_HOME=.*not-a-dir\/pm2\): .*check that PM2_HOME is writable/) });
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    const [record] = JSON.parse((await sandbox.cli(['ls', '--json', '--name', 'nodaemon'])).stdout);
    expect(record.status).toMatchObject({ state: 'failed', reason: expect.stringContaining('cannot reach or start the pm2 daemon') });
  });

  it('a script that cannot be spawned: exit 1, its record says failed with the reason', async () => {
    const script = sandbox.write('notexec', '#!/bin/sh\necho hi\n');
    const result = await sandbox.cli(['start', script, '--name', 'cannot']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/run cannot-\S+ failed to start: cannot start: '.*notexec' is not executable/);
    const ls = await sandbox.cli(['ls', '--json', '--name', 'cannot']);
    expect(JSON.parse(ls.stdout)[0].status).toMatchObject({ state: 'failed', reason: expect.stringContaining('not executable') });
  });
});
