import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, cliJson, createSandbox, isAlive, startRun, waitFor } from '../helpers/sandbox.js';

/**
 * rl-run sweep against the real pm2 and a real Python script that prints the arguments it got:
 * the cells' commands, the records, selection by sweep, the status grid and resume.
 */
const SCRIPT = `import os, sys, time
args = sys.argv[1:]
print('ARGV ' + ' '.join(args), flush=True)
seed = next((a.split('=', 1)[1] for a in args if '=' in a and a.split('=', 1)[0].lstrip('-') in ('seed', 'random-seed')), None)
if seed is None and '--seed' in args: seed = args[args.index('--seed') + 1]
print('SEED ' + str(seed), flush=True)
failing = '--fail-while' not in args or os.path.exists(args[args.index('--fail-while') + 1])
if '--fail-seed' in args and args[args.index('--fail-seed') + 1] == seed and failing: sys.exit(3)
if '--sleep' in args: time.sleep(float(args[args.index('--sleep') + 1]))
`;

let sandbox: Sandbox;
let script: string;

beforeAll(() => {
  sandbox = createSandbox('rl-run-sweep-');
  script = sandbox.write('train.py', SCRIPT);
  sandbox.write('runs.config.json', JSON.stringify({ defaults: { args: ['--from-config', 'yes'] } }));
});
afterAll(async () => {
  await sandbox.cleanup();
});

const sweepDirs = () => (existsSync(path.join(sandbox.runsDir, '.sweeps')) ? readdirSync(path.join(sandbox.runsDir, '.sweeps')) : []);
const runDirs = () => (existsSync(sandbox.runsDir) ? readdirSync(sandbox.runsDir).filter((name) => !name.startsWith('.')) : []);
const sweepRecord = (id: string) => JSON.parse(readFileSync(path.join(sandbox.runsDir, '.sweeps', id, 'sweep.json'), 'utf8'));
const stdout = (id: string) => readFileSync(path.join(sandbox.runsDir, id, 'stdout.log'), 'utf8');
const trashed = (clean: { done: { kind: string; id?: string }[] }) => clean.done.filter((action) => action.kind === 'trash').map((action) => action.id).sort();
const ended = (state: string) => ['succeeded', 'failed', 'stopped', 'lost'].includes(state);

async function untilAllEnded(ids: string[]): Promise<void> {
  await waitFor('every run to end', async () => {
    const runs = await cliJson<{ id: string; status: { state: string } }[]>(sandbox, ['ls', '--json']);
    return ids.every((id) => ended(runs.find((run) => run.id === id)?.status.state ?? '')) || null;
  }, 60_000);
}

describe('rl-run sweep', () => {
  it('--dry-run prints every cell\'s command and creates nothing', async () => {
    const result = await sandbox.cli(['sweep', 'train.py', '--grid', 'lr=1e-3,3e-4', '--grid', 'ent-coef=0,0.01', '--seeds', '1-3', '--dry-run', '--', '--steps', '10']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(13);
    expect(lines[0]).toBe(`python3 ${script} --from-config yes --steps 10 --lr 1e-3 --ent-coef 0 --seed 1`);
    expect(lines[11]).toBe(`python3 ${script} --from-config yes --steps 10 --lr 3e-4 --ent-coef 0.01 --seed 3`);
    expect(lines[12]).toBe('dry run: 12 cells; nothing was created');
    expect(runDirs()).toEqual([]);
    expect(sweepDirs()).toEqual([]);
  });

  it.each([
    [['--grid', 'lr'], /^rl-run: --grid 'lr': expected KEY=V1,V2/],
    [['--grid', 'lr=1,,2'], /^rl-run: --grid lr: an empty value/],
    [['--grid', 'lr=1', '--grid', 'lr=2'], /^rl-run: --grid lr given twice/],
    [['--seeds', '5-1'], /^rl-run: --seeds 5-1: expected 1-5/],
    [['--seeds', 'x'], /^rl-run: --seeds 'x': expected 1-5/],
    [['--arg-style', 'posix'], /^rl-run: --arg-style 'posix': expected one of flag, equals, hydra/],
    [['--gpus', '-1'], /^rl-run: --gpus -1: expected a whole number >= 0/],
    [['--gpus', '1'], /^rl-run: --gpus 1: no GPU pool is configured: set queue\.gpus/],
  ])('bad input %j exits 2 with one line and creates nothing', async (flags, message) => {
    const result = await sandbox.cli(['sweep', 'train.py', ...flags]);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(runDirs()).toEqual([]);
    expect(sweepDirs()).toEqual([]);
  });

  it('a SLURM sweep where sbatch is missing is refused in one line and makes nothing', async () => {
    const bin = path.join(sandbox.dir, 'bin-without-slurm');
    mkdirSync(bin);
    symlinkSync(execFileSync('sh', ['-c', 'command -v python3'], { encoding: 'utf8' }).trim(), path.join(bin, 'python3'));
    const result = await sandbox.cli(['sweep', 'train.py', '--backend', 'slurm', '--grid', 'lr=1,2'], { env: { PATH: bin } });
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toMatch(/^rl-run: SLURM's sbatch is not installed or not on PATH: .*\n$/);
    expect(runDirs()).toEqual([]);
    expect(sweepDirs()).toEqual([]);
  });

  it.each([
    ['flag', (lr: string, ent: string, seed: number) => ['--lr', lr, '--ent-coef', ent, '--seed', String(seed)]],
    ['equals', (lr: string, ent: string, seed: number) => [`--lr=${lr}`, `--ent-coef=${ent}`, `--seed=${seed}`]],
    ['hydra', (lr: string, ent: string, seed: number) => [`lr=${lr}`, `ent-coef=${ent}`, `seed=${seed}`]],
  ] as const)('a 2 × 2 × 3 sweep in %s style makes 12 runs, each with its arguments in order and its cell in its record', async (style, argsOf) => {
    const before = new Set(runDirs());
    const made = await cliJson(sandbox, ['sweep', 'train.py', '--grid', 'lr=1e-3,3e-4', '--grid', 'ent-coef=0,0.01', '--seeds', '3', '--arg-style', style, '--name', `ppo-${style}`, '--tag', 'grid', '--json', '--', '--steps', '10']);
    expect(made.started).toHaveLength(12);
    expect(made.failed).toEqual([]);
    const ids: string[] = made.started.map((cell: { runId: string }) => cell.runId);
    expect(new Set(ids).size).toBe(12);
    expect(runDirs().filter((id) => !before.has(id)).sort()).toEqual([...ids].sort());
    await untilAllEnded(ids);
    const sweep = sweepRecord(made.id);
    expect(sweep).toMatchObject({ id: made.id, name: `ppo-${style}`, script, seeds: [1, 2, 3], fixedArgs: ['--steps', '10'], options: { argStyle: style, seedKey: 'seed', tags: ['grid'] } });
    expect(sweep.grid).toEqual([{ key: 'lr', values: ['1e-3', '3e-4'] }, { key: 'ent-coef', values: ['0', '0.01'] }]);
    let i = 0;
    for (const lr of ['1e-3', '3e-4']) {
      for (const ent of ['0', '0.01']) {
        for (const seed of [1, 2, 3]) {
          const cell = { lr, 'ent-coef': ent, seed };
          const id = sweep.cells[i].runs[0];
          expect(sweep.cells[i]).toEqual({ cell, runs: [id] });
          const record = sandbox.record(id);
          const args = ['--from-config', 'yes', '--steps', '10', ...argsOf(lr, ent, seed)];
          expect(record).toMatchObject({ name: `ppo-${style}`, args, sweep: { id: made.id, cell }, status: { state: 'succeeded' } });
          expect(stdout(id)).toBe(`ARGV ${args.join(' ')}\nSEED ${seed}\n`);
          i++;
        }
      }
    }
    // Private, like a run's record.
    expect(statSync(path.join(sandbox.runsDir, '.sweeps', made.id)).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(sandbox.runsDir, '.sweeps', made.id, 'sweep.json')).mode & 0o777).toBe(0o600);
    // The sweep's folder is no run: ls and clean --orphaned pass it by.
    const ls = await sandbox.cli(['ls']);
    expect(ls.stderr).toBe('');
    expect(ls.stdout).not.toContain('.sweeps');
    const orphaned = await sandbox.cli(['clean', '--orphaned', '--dry-run']);
    expect(orphaned.code).toBe(0);
    expect(orphaned.stdout).not.toMatch(/\.sweeps|damaged/);
  });

  it('ls --sweep, status, stop --sweep and clean --sweep select exactly its runs', async () => {
    const other = await startRun(sandbox, ['train.py', '--name', 'bystander', '--', '--sleep', '60']);
    const made = await cliJson(sandbox, ['sweep', 'train.py', '--grid', 'lr=0.1,0.2', '--seeds', '2', '--name', 'longs', '--json', '--', '--sleep', '60']);
    const ids: string[] = made.started.map((cell: { runId: string }) => cell.runId).sort();
    const prefix = made.id.slice(0, -3);

    const listed = await cliJson<{ id: string }[]>(sandbox, ['ls', '--sweep', prefix, '--json']);
    expect(listed.map((run) => run.id).sort()).toEqual(ids);
    const table = await sandbox.cli(['ls', '--sweep', made.id]);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+STATUS\s+STARTED\s+DURATION\s+EXIT\s+(CPU\s+MEM\s+)?CELL\s+TAGS$/);
    for (const cell of made.started) expect(table.stdout).toMatch(new RegExp(`${cell.runId}\\s+running .*lr=${cell.cell.lr} seed=${cell.cell.seed}`));
    expect(table.stdout).not.toContain(other.id);

    const status = await cliJson(sandbox, ['sweep', 'status', made.id, '--json']);
    expect(status).toEqual({
      id: made.id,
      cells: made.started.map((cell: { cell: unknown; runId: string }) => ({ cell: cell.cell, status: 'running', runId: cell.runId })),
      counts: { running: 4 },
    });
    const grid = await sandbox.cli(['sweep', 'status', 'longs']);
    expect(grid.stdout).toMatch(/^LR\s+SEED 1\s+SEED 2\n0\.1\s+running\s+running\n0\.2\s+running\s+running\n4 running$/m);

    const compared = await cliJson(sandbox, ['compare', '--sweep', made.id, '--json']);
    expect(compared.runs.map((run: { id: string }) => run.id).sort()).toEqual(ids);
    const sweeps = await cliJson(sandbox, ['sweep', 'ls', '--json']);
    expect(sweeps.find((row: { id: string }) => row.id === made.id)).toMatchObject({ cells: 4, backend: 'pm2', counts: { running: 4 } });
    for (const [args, message] of [
      [['sweep', 'status', 'nosuch'], /^rl-run: no sweep matches 'nosuch'; the newest are /],
      [['ls', '--sweep', 'nosuch'], /^rl-run: no sweep matches 'nosuch'/],
      [['sweep', 'resume'], /^rl-run: missing <sweep>: the usage is rl-run sweep resume <sweep>/],
      [['sweep', 'status', made.id, '--grid', 'lr=1'], /^rl-run: sweep status takes no --grid/],
    ] as const) {
      const refused = await sandbox.cli([...args]);
      expect(refused).toMatchObject({ code: 2, stdout: '' });
      expect(refused.stderr).toMatch(message);
    }

    const stop = await sandbox.cli(['stop', '--sweep', made.id, '--timeout', '5s']);
    expect(stop.code).toBe(0);
    expect(stop.stdout.trim().split('\n').map((line) => line.split(' ')[1]).sort()).toEqual(ids);
    expect((await cliJson(sandbox, ['show', other.id, '--json'])).status.state).toBe('running');

    const clean = await cliJson(sandbox, ['clean', '--sweep', made.id, '--yes', '--json']);
    expect(trashed(clean)).toEqual(ids);
    for (const id of ids) expect(existsSync(path.join(sandbox.runsDir, id))).toBe(false);
    expect(existsSync(path.join(sandbox.runsDir, other.id))).toBe(true);
    // Every cell's run was removed: each is missing, and the record still names every attempt.
    expect((await cliJson(sandbox, ['sweep', 'status', made.id, '--json'])).counts).toEqual({ missing: 4 });
    expect(sweepRecord(made.id).cells.flatMap((cell: { runs: string[] }) => cell.runs).sort()).toEqual(ids);
    await sandbox.cli(['stop', other.id, '--timeout', '2s']);
  });

  it('resume after kill -9 and clean starts exactly the missing cells, once, even with two resumes at once', async () => {
    // Seed 3 fails while the file `failing` is there (a bug, fixed before the resume).
    const failing = sandbox.write('failing', '');
    const made = await cliJson(sandbox, ['sweep', 'train.py', '--grid', 'lr=1,2', '--seeds', '3', '--name', 'crashy', '--json', '--', '--sleep', '60', '--fail-seed', '3', '--fail-while', failing]);
    expect(made.started).toHaveLength(6);
    const bySeed = (seed: number) => made.started.filter((cell: { cell: { seed: number } }) => cell.cell.seed === seed).map((cell: { runId: string }) => cell.runId);
    // seed 3 fails by itself; seed 2 of lr=1 is killed -9 (runner and script): it is lost.
    await untilAllEnded(bySeed(3));
    const victim = bySeed(2)[0];
    const { runner, pid } = sandbox.record(victim);
    process.kill(runner.pid, 'SIGKILL');
    process.kill(pid, 'SIGKILL');
    await waitFor('the killed run to go', () => !isAlive(runner.pid) && !isAlive(pid));
    expect((await cliJson(sandbox, ['show', victim, '--json'])).status.state).toBe('lost');
    // The failed runs are cleaned away: their cells have no run at all now.
    const cleaned = await cliJson(sandbox, ['clean', '--sweep', made.id, '--status', 'failed', '--yes', '--json']);
    expect(trashed(cleaned)).toEqual([...bySeed(3)].sort());
    expect((await cliJson(sandbox, ['sweep', 'status', made.id, '--json'])).counts).toEqual({ running: 3, lost: 1, missing: 2 });

    rmSync(failing);
    const dry = await sandbox.cli(['sweep', 'resume', made.id, '--dry-run']);
    expect(dry.stdout).toContain('dry run: 3 cells would start; nothing was changed');
    expect(dry.stdout).toContain(`--lr 1 --seed 2`);

    const [first, second] = await Promise.all([
      cliJson(sandbox, ['sweep', 'resume', made.id, '--json']),
      cliJson(sandbox, ['sweep', 'resume', made.id, '--json']),
    ]);
    const started = [...first.started, ...second.started];
    expect(started.map((cell: { cell: { lr: string; seed: number } }) => `${cell.cell.lr}/${cell.cell.seed}`).sort()).toEqual(['1/2', '1/3', '2/3']);
    const again = await cliJson(sandbox, ['sweep', 'resume', made.id, '--json']);
    expect(again.started).toEqual([]);
    const sweep = sweepRecord(made.id);
    // The lost cell has both attempts; no cell got a run twice from the two resumes.
    const lost = sweep.cells.find((cell: { cell: { lr: string; seed: number } }) => cell.cell.lr === '1' && cell.cell.seed === 2);
    expect(lost.runs).toHaveLength(2);
    expect(lost.runs[0]).toBe(victim);
    expect(sweep.cells.map((cell: { runs: string[] }) => cell.runs.length)).toEqual([1, 2, 2, 1, 1, 2]);
    await sandbox.cli(['stop', '--sweep', made.id, '--timeout', '2s']);
  });

  it('refuses a .sweeps folder that is a symlink, writing nothing through it', async () => {
    const other = createSandbox('rl-run-sweep-link-');
    try {
      other.write('train.py', SCRIPT);
      const elsewhere = path.join(other.dir, 'elsewhere');
      mkdirSync(elsewhere);
      mkdirSync(other.runsDir);
      symlinkSync(elsewhere, path.join(other.runsDir, '.sweeps'));
      const result = await other.cli(['sweep', 'train.py', '--grid', 'lr=1,2']);
      expect(result).toMatchObject({ code: 1, stdout: '' });
      expect(result.stderr).toMatch(/^rl-run: \S+\/runs\/\.sweeps is a symlink; rl-run does not follow links in the runs directory/);
      expect(readdirSync(elsewhere)).toEqual([]);
      expect(readdirSync(other.runsDir)).toEqual(['.sweeps']);
      expect((await other.cli(['sweep', 'ls'])).code).toBe(1);
    } finally {
      await other.cleanup();
    }
  });

  it('starts a sweep declared in runs.config.ts by name; an unknown name lists the config\'s sweeps', async () => {
    const config = sandbox.write(
      'sweeps.config.json',
      JSON.stringify({ sweeps: { ppo: { script: 'train.py', grid: { lr: [0.001, '3e-4'] }, seeds: '1,4', args: ['--steps', '5'], argStyle: 'equals', tags: ['cfg'] } } }),
    );
    const made = await cliJson(sandbox, ['--config', config, 'sweep', 'ppo', '--json']);
    expect(made.started.map((cell: { cell: unknown }) => cell.cell)).toEqual([
      { lr: '0.001', seed: 1 },
      { lr: '0.001', seed: 4 },
      { lr: '3e-4', seed: 1 },
      { lr: '3e-4', seed: 4 },
    ]);
    const record = sandbox.record(made.started[1].runId);
    expect(record).toMatchObject({ name: 'ppo', args: ['--steps', '5', '--lr=0.001', '--seed=4'], tags: ['cfg'] });
    expect(sweepRecord(made.id).options.configSweep).toBe('ppo');

    const unknown = await sandbox.cli(['--config', config, 'sweep', 'sac']);
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toBe("rl-run: 'sac' is neither a sweep in runs.config.ts nor a script file (the config's sweeps are ppo): give a script path, or one of the config's sweep names\n");

    const bad = sandbox.write('bad.config.json', JSON.stringify({ sweeps: { ppo: { script: 'train.py', gird: { lr: [1] } } } }));
    const refused = await sandbox.cli(['--config', bad, 'sweep', 'ppo']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^rl-run: bad config in \S+bad\.config\.json: sweeps\.ppo\.gird: unknown key \(known: script, grid, seeds/);
  });
});
