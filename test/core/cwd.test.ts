import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeEndedRun } from '../clean/records.js';
import { EXAMPLE, type Sandbox, createSandbox, isAlive, processesWithPm2Home, startRun, waitFor } from '../helpers/sandbox.js';

/**
 * A working directory that is not a directory: pm2 accepted such a start, showed the entry
 * `online` with no pid forever, and `start` waited its full 60 s. It is refused before anything
 * is created or started.
 */
describe('a --cwd that is not a directory is refused at once', () => {
  let sandbox: Sandbox;
  const OLD = 'old-20250101-000000-aaaaaa';
  beforeAll(() => {
    sandbox = createSandbox();
    writeFileSync(path.join(sandbox.dir, 'afile'), '');
    const gone = path.join(sandbox.dir, 'was-here');
    mkdirSync(gone);
    writeEndedRun(sandbox.runsDir, OLD, { cwd: gone, command: ['python3', EXAMPLE], script: EXAMPLE, interpreter: 'python3' });
    rmSync(gone, { recursive: true });
  });
  afterAll(() => sandbox.cleanup());

  it.each([
    [['start', EXAMPLE, '--cwd', 'no-such-dir'], /--cwd no-such-dir: .*no-such-dir is not a directory/],
    [['start', EXAMPLE, '--cwd', 'afile'], /--cwd afile: .*afile is not a directory/],
    [['start', '--cwd', 'no-such-dir', '--', 'true'], /--cwd no-such-dir: .*no-such-dir is not a directory/],
    [['restart', OLD], /the working directory .*was-here of old-\S+ is not a directory any more/],
  ])('rl-run %j: exit 2, one line, no run, no pm2', async (args, message) => {
    const before = readdirSync(sandbox.runsDir).sort();
    const result = await sandbox.cli(args);
    expect(result).toMatchObject({ code: 2, stderr: expect.stringMatching(message) });
    expect(result.stderr).toMatch(/^rl-run: [^\n]+\n$/);
    expect(readdirSync(sandbox.runsDir).sort()).toEqual(before);
    expect(processesWithPm2Home(sandbox.pm2Home)).toEqual([]);
  });

  it('restart of a running run whose cwd is gone: refused before the old run is stopped', async () => {
    const cwd = path.join(sandbox.dir, 'goes-away');
    mkdirSync(cwd);
    const run = await startRun(sandbox, [EXAMPLE, '--cwd', cwd, '--', '--steps', '100000000', '--step-time', '0.05']);
    const running = await waitFor('the run to be running', () => {
      const record = sandbox.record(run.id);
      return record.status.state === 'running' && record;
    });
    rmSync(cwd, { recursive: true });
    const result = await sandbox.cli(['restart', run.id]);
    expect(result).toMatchObject({ code: 2, stderr: expect.stringMatching(/goes-away of \S+ is not a directory any more/) });
    expect(sandbox.record(run.id).status.state).toBe('running');
    expect(isAlive(running.pid)).toBe(true);
  });
});
