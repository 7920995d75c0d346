import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, ROOT, type Sandbox, createSandbox, isAlive, startRun, waitFor } from '../helpers/sandbox.js';
import { DAMAGE, olderSchema, writeEndedRun } from './records.js';

const PM2_CLI = path.join(ROOT, 'node_modules', 'pm2', 'bin', 'pm2');
const noCrash = (stderr: string) => !/unexpected error|\n\s+at /.test(stderr);

describe('a registry with damaged records', () => {
  let sandbox: Sandbox;
  beforeAll(() => {
    sandbox = createSandbox();
    writeEndedRun(sandbox.runsDir, 'good-20250101-000000-aaaaaa');
    writeEndedRun(sandbox.runsDir, 'good-20250101-000001-bbbbbb', { unknownField: { from: 'a newer rl-run' }, tags: ['x'] });
    const old = writeEndedRun(sandbox.runsDir, 'old-20240601-000000-cccccc');
    writeFileSync(path.join(old, 'run.json'), JSON.stringify(olderSchema('old-20240601-000000-cccccc')));
    Object.values(DAMAGE).forEach((damage, n) => {
      const dir = writeEndedRun(sandbox.runsDir, `bad-20250102-00000${n}-dddddd`);
      writeFileSync(path.join(dir, 'run.json'), damage(readFileSync(path.join(dir, 'run.json'), 'utf8')));
    });
  });
  afterAll(() => sandbox.cleanup());

  it('ls lists the good ones (older schema and unknown fields included) and names the bad ones in one warning line', async () => {
    const result = await sandbox.cli(['ls', '--json']);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { id: string }[]).map((r) => r.id)).toEqual([
      'good-20250101-000001-bbbbbb',
      'good-20250101-000000-aaaaaa',
      'old-20240601-000000-cccccc',
    ]);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^rl-run: warning: 5 damaged run directories skipped: /);
    for (let n = 0; n < 5; n++) expect(lines[0]).toContain(`bad-20250102-00000${n}-dddddd`);
    expect(lines[0]).toContain('empty run.json');
    expect(lines[0]).toContain('not valid JSON');
  });

  it.each([
    [['ls']],
    [['ls', '--status', 'failed']],
    [['show', 'latest']],
    [['show', 'old-20240601-000000-cccccc']],
    [['logs', 'good']],
    [['du']],
    [['ls', '--trash']],
    [['clean', '--orphaned', '--dry-run']],
    [['clean', '--status', 'succeeded', '--dry-run']],
    [['show', 'bad-20250102-000000-dddddd']],
    [['stop', 'bad-20250102-000001-dddddd']],
  ])('%j does not crash', async (args) => {
    const result = await sandbox.cli(args);
    expect(noCrash(result.stderr)).toBe(true);
    expect([0, 1, 2]).toContain(result.code);
    if (result.code !== 0) expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('processes that die under a run', () => {
  let sandbox: Sandbox;
  const pm2 = (...args: string[]) => execFileSync(process.execPath, [PM2_CLI, ...args], { env: sandbox.env, encoding: 'utf8' });
  const state = async (id: string) => {
    const ls = await sandbox.cli(['ls', '--json']);
    return (JSON.parse(ls.stdout) as { id: string; status: { state: string; signal?: string } }[]).find((r) => r.id === id)?.status;
  };
  beforeAll(() => {
    sandbox = createSandbox();
  });
  afterAll(() => sandbox.cleanup());

  it('pm2 kill: the run is lost (or failed with the signal), its logs stay, and the next start works', async () => {
    const run = await startRun(sandbox, [EXAMPLE, '--', '--steps', '100000000', '--step-time', '0.05']);
    await waitFor('output', () => readFileSync(path.join(run.dir, 'stdout.log'), 'utf8').includes('global_step'));
    const before = readFileSync(path.join(run.dir, 'stdout.log'), 'utf8');
    pm2('kill');
    const status = await waitFor('the run to be over', async () => {
      const s = await state(run.id);
      return s && ['lost', 'failed'].includes(s.state) && s;
    });
    if (status.state === 'failed') expect(status.signal).toBeTruthy();
    expect(readFileSync(path.join(run.dir, 'stdout.log'), 'utf8').startsWith(before)).toBe(true);
    const quick = sandbox.write('quick.py', 'print("after pm2 kill")\n');
    const next = await startRun(sandbox, [quick]);
    await waitFor('the next run to succeed', () => sandbox.record(next.id).status.state === 'succeeded');
  });

  it('kill -9 of the runner: the run shows lost once its script is gone, logs intact, next start works', async () => {
    const run = await startRun(sandbox, [EXAMPLE, '--', '--steps', '100000000', '--step-time', '0.05']);
    await waitFor('output', () => readFileSync(path.join(run.dir, 'stdout.log'), 'utf8').includes('global_step'));
    const record = sandbox.record(run.id);
    process.kill(record.runner.pid, 'SIGKILL');
    await waitFor('the runner to go', () => !isAlive(record.runner.pid));
    // The script itself still runs, unsupervised: the run is not lost yet.
    expect((await state(run.id))?.state).toBe('running');
    const before = readFileSync(path.join(run.dir, 'stdout.log'), 'utf8');
    process.kill(record.pid, 'SIGKILL');
    await waitFor('the run to show lost', async () => (await state(run.id))?.state === 'lost');
    expect(sandbox.record(run.id).status.state).toBe('lost');
    expect(readFileSync(path.join(run.dir, 'stdout.log'), 'utf8').startsWith(before)).toBe(true);
    const next = await startRun(sandbox, [sandbox.write('quick2.py', 'print(1)\n')]);
    await waitFor('the next run to succeed', () => sandbox.record(next.id).status.state === 'succeeded');
  });

  it('kill -9 of start at several instants leaves no record running or starting', async () => {
    const quick = sandbox.write('short.py', 'print("short")\n');
    const known = new Set(existsSync(sandbox.runsDir) ? readdirSync(sandbox.runsDir) : []);
    for (const delay of [0, 100, 200, 300, 400, 500, 700, 900]) {
      const child = sandbox.spawnCli(['start', quick, '--name', 'killed']);
      const closed = new Promise((resolve) => child.once('close', resolve));
      await new Promise((resolve) => setTimeout(resolve, delay));
      child.kill('SIGKILL');
      await closed;
    }
    const ids = () => readdirSync(sandbox.runsDir).filter((id) => !known.has(id) && !id.startsWith('.'));
    // Every run that got a record ends in a final state; none stays running or starting.
    await waitFor('every record to settle', async () => {
      const ls = JSON.parse((await sandbox.cli(['ls', '--json', '--name', 'killed'])).stdout) as { status: { state: string } }[];
      return ls.every((r) => ['succeeded', 'lost', 'failed'].includes(r.status.state));
    });
    expect(ids().length).toBeGreaterThan(0);
  });
});
