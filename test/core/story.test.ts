import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, createSandbox, pm2, startRun, waitFor } from '../helpers/sandbox.js';

/**
 * The story rl-run exists for: with pm2 alone, `pm2 delete myapp; pm2 flush; pm2 start … --name myapp`
 * appends the new run's output to the old log, and a person reads stale lines for hours.
 */
describe('the pm2 flush story', () => {
  let sandbox: Sandbox;
  beforeAll(() => {
    sandbox = createSandbox();
  });
  afterAll(() => sandbox.cleanup());

  it('gives the second start its own directory, and logs latest shows only the new output', async () => {
    const script = sandbox.write('myapp.py', 'print("version one of the code")\n');
    const first = await startRun(sandbox, [script, '--name', 'myapp']);
    await waitFor('the first run to end', () => sandbox.record(first.id).status.state === 'succeeded');

    pm2(sandbox, 'delete', first.pm2Name);
    pm2(sandbox, 'flush');
    sandbox.write('myapp.py', 'print("version two of the code")\n');
    const second = await startRun(sandbox, [script, '--name', 'myapp']);
    await waitFor('the second run to end', () => sandbox.record(second.id).status.state === 'succeeded');

    expect(second.id).not.toBe(first.id);
    expect(second.dir).not.toBe(first.dir);
    expect(second.pm2Name).not.toBe(first.pm2Name);
    const latest = await sandbox.cli(['logs', 'latest']);
    expect(latest.stdout).toBe('version two of the code\n');
    const byName = await sandbox.cli(['logs', 'myapp']);
    expect(byName.stdout).toBe('version two of the code\n');
    const previous = await sandbox.cli(['logs', 'latest~1']);
    expect(previous.stdout).toBe('version one of the code\n');

    const ls = await sandbox.cli(['ls', '--json']);
    expect(JSON.parse(ls.stdout).map((r: { id: string }) => r.id)).toEqual([second.id, first.id]);
  });
});
