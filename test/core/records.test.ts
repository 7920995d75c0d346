import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RECORD_CAP } from '../../src/registry/run-dir/index.js';
import { CLI, type Sandbox, createSandbox } from '../helpers/sandbox.js';
import { collectOutput, endedRecord } from '../support/processes.mjs';

/** A record that says running, whose runner is a process that has exited: any reader would repair it to lost. */
function runningWithDeadRunner(id: string): Record<string, unknown> {
  const dead = spawnSync('true').pid;
  return { ...endedRecord(id, hostname()), status: { state: 'running' }, runner: { pid: dead, startTime: 1 }, pid: dead, pidStartTime: 1 };
}

/** The CLI, killed if it hangs (a FIFO did that): a hang shows as a signal, not as a stuck suite. */
async function cliGuarded(sandbox: Sandbox, args: string[]): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: sandbox.dir, env: sandbox.env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000, killSignal: 'SIGKILL' });
  return collectOutput(child);
}

describe('records are written only where they were read (issue 9, item 4)', () => {
  let sandbox: Sandbox;
  beforeEach(() => {
    sandbox = createSandbox();
    mkdirSync(sandbox.runsDir);
  });
  afterEach(() => sandbox.cleanup());

  const put = (dir: string, record: unknown) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'run.json'), JSON.stringify(record));
  };

  it("a copied run directory (cp -r X X.bak) leaves the original's end alone and is listed as damaged", async () => {
    const id = 'ppo-20250101-000000-aaaaaa';
    const original = path.join(sandbox.runsDir, id);
    // The copy was taken while the run was running; the run has since ended.
    put(original, runningWithDeadRunner(id));
    cpSync(original, `${original}.bak`, { recursive: true });
    put(original, endedRecord(id, hostname()));
    const before = readFileSync(path.join(original, 'run.json'), 'utf8');
    const copy = readFileSync(path.join(`${original}.bak`, 'run.json'), 'utf8');

    for (const args of [['ls'], ['ls', '--json'], ['du'], ['clean', '--orphaned', '--dry-run']]) {
      const result = await sandbox.cli(args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
    }
    expect(readFileSync(path.join(original, 'run.json'), 'utf8')).toBe(before);
    expect(readFileSync(path.join(`${original}.bak`, 'run.json'), 'utf8')).toBe(copy);
    const ls = await sandbox.cli(['ls']);
    expect(ls.stderr).toContain(`${id}.bak`);
    expect(ls.stderr).toMatch(/names run 'ppo-20250101-000000-aaaaaa', not its directory/);
    // Never acted on: clean --orphaned refuses it instead of moving the user's copy to the trash.
    const clean = await sandbox.cli(['clean', '--orphaned', '--dry-run', '--json']);
    const plan = JSON.parse(clean.stdout) as { actions: { id?: string }[]; refused: { target: string }[] };
    expect(plan.actions.filter((a) => a.id === `${id}.bak`)).toEqual([]);
  });

  it("a record whose id is '../outside' makes ls write nothing outside the runs directory", async () => {
    const outside = path.join(sandbox.dir, 'outside');
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'run.json'), 'precious');
    const id = 'evil-20250101-000000-aaaaaa';
    put(path.join(sandbox.runsDir, id), { ...runningWithDeadRunner(id), id: '../outside' });

    const ls = await sandbox.cli(['ls']);
    await sandbox.cli(['show', id]);
    await sandbox.cli(['clean', '--orphaned', '--dry-run']);
    expect(readFileSync(path.join(outside, 'run.json'), 'utf8')).toBe('precious');
    expect(ls.code).toBe(0);
    expect(ls.stderr).toContain(id);
  });
});

describe('special files cannot hang or exhaust (issue 9, item 8)', () => {
  let sandbox: Sandbox;
  const good = 'good-20250101-000000-aaaaaa';
  beforeEach(() => {
    sandbox = createSandbox();
    mkdirSync(path.join(sandbox.runsDir, good), { recursive: true });
    writeFileSync(path.join(sandbox.runsDir, good, 'run.json'), JSON.stringify(endedRecord(good, hostname())));
  });
  afterEach(() => sandbox.cleanup());

  const special: [string, (dir: string, runsDir: string, id: string) => void, RegExp][] = [
    ['run.json is a FIFO', (dir) => execFileSync('mkfifo', [path.join(dir, 'run.json')]), /run.json is a FIFO/],
    ['run.json links to /dev/zero', (dir) => symlinkSync('/dev/zero', path.join(dir, 'run.json')), /symlink/],
    [
      'run.json is over the 16 MB cap',
      (dir, _runsDir, id) => writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ ...endedRecord(id, hostname()), config: { blob: 'x'.repeat(RECORD_CAP) } })),
      /larger than 16 MB/,
    ],
    [
      'the run directory is a symlink',
      (dir, runsDir, id) => {
        const elsewhere = path.join(path.dirname(runsDir), 'elsewhere');
        mkdirSync(elsewhere);
        writeFileSync(path.join(elsewhere, 'run.json'), JSON.stringify(endedRecord(id, hostname())));
        symlinkSync(elsewhere, dir);
      },
      /run directory is a symlink/,
    ],
    ['the run directory is a FIFO', (dir) => execFileSync('mkfifo', [dir]), /not a directory/],
  ];

  it.each(special)('%s: ls, ls --json, du, show and clean finish, the good run listed, the bad one damaged', async (_name, make, reason) => {
    const id = 'bad-20250101-000000-bbbbbb';
    const dir = path.join(sandbox.runsDir, id);
    if (!/run directory/.test(_name)) mkdirSync(dir);
    make(dir, sandbox.runsDir, id);
    for (const args of [['ls'], ['du'], ['clean', '--orphaned', '--dry-run'], ['clean', '--status', 'succeeded', '--dry-run'], ['ls', '--trash']]) {
      const result = await cliGuarded(sandbox, args);
      expect(result.signal, `${args.join(' ')} hung`).toBeNull();
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
    }
    const ls = await cliGuarded(sandbox, ['ls', '--json']);
    expect(ls.signal).toBeNull();
    expect((JSON.parse(ls.stdout) as { id: string }[]).map((r) => r.id)).toEqual([good]);
    expect(ls.stderr).toContain(id);
    expect(ls.stderr).toMatch(reason);
    const show = await cliGuarded(sandbox, ['show', id]);
    expect(show.signal).toBeNull();
    expect(show.code).toBe(1);
    expect(show.stderr.trim().split('\n')).toHaveLength(1);
  });
});
