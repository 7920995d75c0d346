import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, ROOT, type Sandbox, cliJson, createSandbox } from '../helpers/sandbox.js';

/** tsc on one config file, as a project that checks its runs.config.ts would. */
function typecheck(dir: string): string {
  try {
    execFileSync(
      process.execPath,
      [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--module', 'esnext', '--moduleResolution', 'bundler', '--target', 'es2022', 'runs.config.ts'],
      { cwd: dir, encoding: 'utf8', stdio: 'pipe' },
    );
    return 'ok';
  } catch (error) {
    return String((error as { stdout?: string }).stdout || error);
  }
}

describe('init writes a config that type-checks where it lands, and says what it shadows', () => {
  let sandbox: Sandbox;
  beforeAll(() => {
    sandbox = createSandbox();
  });
  afterAll(() => sandbox.cleanup());

  const project = (name: string) => {
    const dir = path.join(sandbox.dir, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  };

  it('where rl-run is installed globally only: no import, tsc passes, rl-run loads it', async () => {
    const dir = project('global-only');
    expect((await sandbox.cli(['init'], { cwd: dir })).code).toBe(0);
    expect(readFileSync(path.join(dir, 'runs.config.ts'), 'utf8')).not.toMatch(/^import .* from 'rl-run'/m);
    expect(typecheck(dir)).toBe('ok');
    const ls = await sandbox.cli(['ls'], { cwd: dir });
    expect(ls).toMatchObject({ code: 0, stdout: expect.stringContaining(path.join(dir, 'runs')) });
  });

  it('where rl-run is installed in the project: defineConfig from rl-run, and tsc passes', async () => {
    const dir = project('with-dependency');
    mkdirSync(path.join(dir, 'node_modules'));
    symlinkSync(ROOT, path.join(dir, 'node_modules', 'rl-run'));
    expect((await sandbox.cli(['init'], { cwd: dir })).code).toBe(0);
    expect(readFileSync(path.join(dir, 'runs.config.ts'), 'utf8')).toMatch(/^import \{ defineConfig \} from 'rl-run';/);
    expect(typecheck(dir)).toBe('ok');
  });

  it('in a subfolder of a project: says it shadows the parent config', async () => {
    const parent = project('parent');
    writeFileSync(path.join(parent, 'runs.config.json'), '{ "runsDir": "all-runs" }');
    const sub = project('parent/experiments/a');
    const result = await sandbox.cli(['init'], { cwd: sub });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`note: it shadows ${path.join(parent, 'runs.config.json')}`);
  });
});

describe('a user-level config gives one registry for every project', () => {
  let sandbox: Sandbox;
  let xdg: string;
  let shared: string;
  const withUserConfig = () => ({ env: { RL_RUN_NO_USER_CONFIG: '', XDG_CONFIG_HOME: xdg } });
  beforeAll(() => {
    sandbox = createSandbox();
    xdg = path.join(sandbox.dir, 'xdg');
    shared = path.join(sandbox.dir, 'every-run');
    mkdirSync(path.join(xdg, 'rl-run'), { recursive: true });
    writeFileSync(path.join(xdg, 'rl-run', 'config.json'), JSON.stringify({ runsDir: shared }));
    for (const dir of ['project-a', 'elsewhere', 'own-config', 'new']) mkdirSync(path.join(sandbox.dir, dir));
    writeFileSync(path.join(sandbox.dir, 'own-config', 'runs.config.json'), '{ "runsDir": "local-runs" }');
  });
  afterAll(() => sandbox.cleanup());

  it('a run started in one folder is found from another', async () => {
    const started = await sandbox.cli(['start', '--json', EXAMPLE, '--', '--steps', '2048', '--step-time', '0'], { cwd: path.join(sandbox.dir, 'project-a'), ...withUserConfig() });
    expect(started.code, started.stderr).toBe(0);
    const { id, dir } = JSON.parse(started.stdout);
    expect(dir).toBe(path.join(shared, id));
    const ls = await sandbox.cli(['ls', '--json'], { cwd: path.join(sandbox.dir, 'elsewhere'), ...withUserConfig() });
    expect(JSON.parse(ls.stdout).map((r: { id: string }) => r.id)).toEqual([id]);
  });

  it('a project config takes its place; RL_RUN_NO_USER_CONFIG=1 turns it off', async () => {
    const own = await sandbox.cli(['ls'], { cwd: path.join(sandbox.dir, 'own-config'), ...withUserConfig() });
    expect(own.stdout).toContain(path.join(sandbox.dir, 'own-config', 'local-runs'));
    const off = await cliJson(sandbox, ['ls', '--json']);
    expect(off).toEqual([]);
  });

  it('init says the new project config takes the place of the user config', async () => {
    const result = await sandbox.cli(['init'], { cwd: path.join(sandbox.dir, 'new'), ...withUserConfig() });
    expect(result.stdout).toContain(`takes the place of your user config ${path.join(xdg, 'rl-run', 'config.json')}`);
  });
});
