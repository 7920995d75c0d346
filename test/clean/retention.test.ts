import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, EXAMPLE, type Sandbox, createSandbox, startRun, waitFor } from '../helpers/sandbox.js';
import { withRunId } from './procs.js';
import { hashTree } from './tree.js';

/** Retention, the trash and the safety rules, through the built CLI on real runs. */
describe('clean by retention, the trash, restore', () => {
  let sandbox: Sandbox;
  const ids: Record<string, string> = {};
  // The running run writes its logs all along; every other byte must stay.
  const hashRegistry = () => hashTree(sandbox.runsDir, (rel) => rel === `./${ids.long}`);
  const runIds = () => readdirSync(sandbox.runsDir).filter((name) => !name.startsWith('.')).sort();
  beforeAll(async () => {
    sandbox = createSandbox();
    const ok = sandbox.write('ok.py', 'print("fine")\n');
    const bad = sandbox.write('bad.py', 'import sys\nprint("boom", file=sys.stderr)\nsys.exit(3)\n');
    for (const [key, script, name, tag] of [
      ['ok1', ok, 'ppo', 'sweep'],
      ['bad1', bad, 'ppo', 'sweep'],
      ['ok2', ok, 'ppo', 'base'],
      ['bad2', bad, 'sac', 'base'],
    ] as const) {
      const run = await startRun(sandbox, [script, '--name', name, '--tag', tag]);
      ids[key] = run.id;
      await waitFor(`${key} to end`, () => ['succeeded', 'failed'].includes(sandbox.record(run.id).status.state));
      // and its runner to exit: pm2 appends the runner's last line to runner.log as it goes.
      await waitFor(`${key}'s runner to exit`, () => withRunId(run.id).length === 0);
    }
    ids.long = (await startRun(sandbox, [EXAMPLE, '--name', 'ppo', '--', '--steps', '100000000'])).id;
  });
  afterAll(() => sandbox.cleanup());

  it('prints the plan and changes no byte on --dry-run', async () => {
    const before = hashRegistry();
    const result = await sandbox.cli(['clean', '--status', 'failed', '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`to trash\\s+${ids.bad1}\\s+\\d+(\\.\\d)? KB\\s+failed`));
    expect(result.stdout).toContain(ids.bad2);
    expect(result.stdout).toMatch(new RegExp(`pm2 delete\\s+rlrun-${ids.bad1}\\s+-\\s+its run directory goes to the trash`));
    expect(result.stdout).toMatch(/^total: 4 actions, \d+(\.\d)? KB$/m);
    expect(result.stdout.trim().split('\n').at(-1)).toBe('dry run: nothing was changed');
    expect(hashRegistry()).toBe(before);
  });

  it('without a terminal, needs --yes, and says so', async () => {
    const before = hashRegistry();
    const result = await sandbox.cli(['clean', '--status', 'failed']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('rl-run: not asking without a terminal: add --yes to carry out this plan, or --dry-run to only print it\n');
    expect(hashRegistry()).toBe(before);
  });

  it.each([
    [['clean'], /say what to clean/],
    [['clean', '--status', 'running'], /never deleted/],
    [['clean', '--older-than', '14'], /--older-than 14: expected a duration such as 12h, 14d or 2w/],
    [['clean', '--larger-than', 'big'], /--larger-than big: expected a size/],
    [['clean', '--keep-last', '0'], /--keep-last 0: expected a whole number >= 1/],
    [['clean', '--purge', '--status', 'failed'], /--purge takes only --older-than/],
    [['restore', '../etc'], /cannot restore '..\/etc'/],
  ])('refuses %j with exit 2', async (args, message) => {
    const result = await sandbox.cli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('never deletes a running run, keeps the newest of each name, and moves the rest to the trash', async () => {
    const result = await sandbox.cli(['clean', '--keep-last', '1', '--yes']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`keep\\s+${ids.long}\\s+-\\s+running: a run that has not ended is never deleted`));
    // --keep-last counts per run name, and the plan says so: in each reason and under the table.
    expect(result.stdout).toMatch(new RegExp(`to trash\\s+${ids.ok1}\\s+\\S+ KB\\s+beyond the 1 newest runs named ppo`));
    expect(result.stdout).toContain('--keep-last 1 counts per run name: the 1 newest runs of each name stay, not 1 runs in all');
    expect((await sandbox.cli(['clean', '--help'])).stdout).toMatch(/--keep-last\s+Keep the N newest runs of each run name \(counted per name, not in all\)/);
    // ppo: the running run is the newest; sac has one run only.
    expect(runIds()).toEqual([ids.bad2, ids.long].sort());
    const trash = await sandbox.cli(['ls', '--trash', '--json']);
    expect((JSON.parse(trash.stdout) as { id: string }[]).map((e) => e.id).sort()).toEqual([ids.ok1, ids.bad1, ids.ok2].sort());
    expect((await sandbox.cli(['ls', '--trash'])).stdout).toMatch(/^total: 3 in the trash/m);
  });

  it('restores a run byte for byte', async () => {
    const trashed = path.join(sandbox.runsDir, '.trash', ids.bad1!);
    const before = hashTree(trashed);
    const result = await sandbox.cli(['restore', ids.bad1!]);
    expect(result).toMatchObject({ code: 0, stdout: `restored ${ids.bad1}\n` });
    expect(hashTree(path.join(sandbox.runsDir, ids.bad1!))).toBe(before);
    const show = await sandbox.cli(['logs', ids.bad1!, '--stderr']);
    expect(show.stdout).toContain('boom');
  });

  it('du shows disk use per run and the total', async () => {
    const result = await sandbox.cli(['du', '--json']);
    const du = JSON.parse(result.stdout) as { runs: { id: string; bytes: number }[]; trash: number; total: number };
    expect(du.runs.map((r) => r.id).sort()).toEqual([ids.bad1, ids.bad2, ids.long].sort());
    expect(du.runs.every((r) => r.bytes > 0)).toBe(true);
    expect(du.total).toBe(du.runs.reduce((s, r) => s + r.bytes, 0) + du.trash);
    expect((await sandbox.cli(['du'])).stdout).toMatch(/^total: .* in 3 runs; trash: .*; all: /m);
  });

  it('refuses what leads out of the runs directory, and purges without following links', async () => {
    const outside = path.join(sandbox.dir, 'outside');
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'dataset.bin'), 'precious');
    // A failed run directory that is a symlink leading out.
    const record = JSON.parse(readFileSync(path.join(sandbox.runsDir, ids.bad2!, 'run.json'), 'utf8'));
    const linked = 'linked-20250101-000000-llllll';
    writeFileSync(path.join(outside, 'run.json'), JSON.stringify({ ...record, id: linked, name: 'linked' }));
    symlinkSync(outside, path.join(sandbox.runsDir, linked));
    // A record that names another place, and a name with '..'.
    const pointing = 'pointing-20250101-000000-pppppp';
    mkdirSync(path.join(sandbox.runsDir, pointing));
    writeFileSync(path.join(sandbox.runsDir, pointing, 'run.json'), JSON.stringify({ ...record, id: '../outside', name: 'pointing' }));
    const dotted = 'a..b-20250101-000000-dddddd';
    mkdirSync(path.join(sandbox.runsDir, dotted));
    writeFileSync(path.join(sandbox.runsDir, dotted, 'run.json'), JSON.stringify({ ...record, id: dotted, name: 'a..b' }));
    // A run with a symlink inside to a file outside.
    symlinkSync(path.join(outside, 'dataset.bin'), path.join(sandbox.runsDir, ids.bad2!, 'data'));

    const before = hashTree(outside);
    const result = await sandbox.cli(['clean', '--status', 'failed', '--yes']);
    expect(result.code).toBe(0);
    // A linked run directory and a record naming another run are damaged (issue 9, items 4 and 8): never candidates.
    expect(result.stdout).not.toContain(linked);
    expect(result.stdout).not.toContain(pointing);
    expect((await sandbox.cli(['ls'])).stderr).toMatch(new RegExp(`${linked}.*${pointing}|${pointing}.*${linked}`));
    expect(result.stdout).toMatch(/refused\s+a\.\.b-20250101-000000-dddddd\s+-\s+'a\.\.b-20250101-000000-dddddd' contains '\.\.'/);
    expect(lstatSync(path.join(sandbox.runsDir, linked)).isSymbolicLink()).toBe(true);
    expect(existsSync(path.join(sandbox.runsDir, pointing))).toBe(true);
    expect(existsSync(path.join(sandbox.runsDir, dotted))).toBe(true);

    const purge = await sandbox.cli(['clean', '--purge', '--yes']);
    expect(purge.code).toBe(0);
    expect(purge.stdout).toMatch(/purged 4 from the trash; freed /);
    expect(readdirSync(path.join(sandbox.runsDir, '.trash'))).toEqual([]);
    expect(hashTree(outside)).toBe(before);
    expect(readFileSync(path.join(outside, 'dataset.bin'), 'utf8')).toBe('precious');
  });

  it('on a terminal, asks before acting and does nothing unless told yes', async () => {
    const bad = sandbox.write('tty.py', 'raise SystemExit(1)\n');
    const run = await startRun(sandbox, [bad, '--name', 'tty']);
    await waitFor('the run to fail', () => sandbox.record(run.id).status.state === 'failed');
    // script(1) gives the CLI a pseudo-terminal; the answer is typed into it.
    const onTty = (answer: string) =>
      new Promise<string>((resolve, reject) => {
        const child = spawn('script', ['-qec', `${process.execPath} ${CLI} clean --status failed --name tty`, '/dev/null'], { cwd: sandbox.dir, env: sandbox.env });
        let output = '';
        child.stdout.on('data', (chunk) => {
          output += chunk;
          if (output.includes('[y/N]')) child.stdin.write(`${answer}\n`);
        });
        child.on('error', reject);
        child.on('close', () => resolve(output));
      });
    const no = await onTty('n');
    expect(no).toContain(`carry out these`);
    expect(no).toContain('nothing was changed');
    expect(existsSync(run.dir)).toBe(true);
    const yes = await onTty('y');
    expect(yes).toContain('moved 1 to the trash');
    expect(existsSync(run.dir)).toBe(false);
  });
});
