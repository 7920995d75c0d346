import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, cliJson, createSandbox, waitFor } from '../helpers/sandbox.js';

describe('a project: git, init, completion', () => {
  let sandbox: Sandbox;
  beforeAll(() => {
    sandbox = createSandbox();
  });
  afterAll(() => sandbox.cleanup());

  it('records the git commit and dirty flag, and saves the uncommitted diff beside the run', async () => {
    const repo = path.join(sandbox.dir, 'repo');
    mkdirSync(repo);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 't@example.com');
    git('config', 'user.name', 't');
    writeFileSync(path.join(repo, 'train.py'), 'print("v1")\n');
    git('add', 'train.py');
    git('commit', '-qm', 'v1');
    const commit = git('rev-parse', 'HEAD');

    const start = async () => JSON.parse((await sandbox.cli(['start', '--json', 'train.py', '--runs-dir', sandbox.runsDir], { cwd: repo })).stdout);
    const clean = await start();
    writeFileSync(path.join(repo, 'train.py'), 'print("v2, not committed")\n');
    const dirty = await start();
    await waitFor('both runs to end', () => [clean.id, dirty.id].every((id) => sandbox.record(id).status.state === 'succeeded'));

    expect(sandbox.record(clean.id).git).toEqual({ commit, branch: 'main', dirty: false });
    expect(existsSync(path.join(clean.dir, 'git.diff'))).toBe(false);
    expect(sandbox.record(dirty.id).git).toEqual({ commit, branch: 'main', dirty: true, diffFile: 'git.diff' });
    expect(readFileSync(path.join(dirty.dir, 'git.diff'), 'utf8')).toContain('+print("v2, not committed")');
    expect(readFileSync(path.join(dirty.dir, 'stdout.log'), 'utf8')).toBe('v2, not committed\n');
  });

  it('leaves git out of a record started outside a repository', async () => {
    const script = sandbox.write('plain.py', 'print(1)\n');
    const run = await cliJson(sandbox, ['start', '--json', script]);
    expect(sandbox.record(run.id).git).toBeUndefined();
    expect(existsSync(path.join(run.dir, 'git.diff'))).toBe(false);
  });

  it('init writes a runs.config.ts that loads as it is, and refuses to overwrite it', async () => {
    const project = path.join(sandbox.dir, 'fresh');
    mkdirSync(project);
    const init = await sandbox.cli(['init'], { cwd: project });
    expect(init).toMatchObject({ code: 0, stdout: `wrote ${path.join(project, 'runs.config.ts')}\n` });
    const ls = await sandbox.cli(['ls'], { cwd: project });
    expect(ls).toMatchObject({ code: 0, stdout: expect.stringContaining(path.join(project, 'runs')) });
    const again = await sandbox.cli(['init'], { cwd: project });
    expect(again).toMatchObject({ code: 2, stderr: expect.stringMatching(/already exists: edit it, or pass --force/) });
  });

  it('completion prints a shell completion script', async () => {
    const result = await sandbox.cli(['completion']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('rl-run');
    expect(result.stdout).toMatch(/complete -o (bashdefault|default)/);
  });

  it('--help shows an example for every command', async () => {
    const help = await sandbox.cli(['--help']);
    const commands = [...help.stdout.matchAll(/^ {2}rl-run (\w+)/gm)].map((m) => m[1]!).filter((c) => c !== 'completion');
    expect(commands.length).toBeGreaterThanOrEqual(7);
    for (const command of commands) {
      const own = await sandbox.cli([command, '--help']);
      expect(own, command).toMatchObject({ code: 0, stdout: expect.stringContaining('Examples:') });
    }
  });
});
