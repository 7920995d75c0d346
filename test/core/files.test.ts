import { spawn } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectOutput } from '../support/processes.mjs';
import { CLI, EXAMPLE, type Sandbox, createSandbox, processesWithPm2Home, startRun, waitFor } from '../helpers/sandbox.js';

/** uid/gid of `nobody`: another local user. */
const NOBODY = 65534;
const OUTSIDE_TEXT = 'precious bytes that are not rl-run\'s\nloss=0.25 step=1\n';

const oneLine = (stderr: string) => stderr.trim().split('\n').length === 1 && !/\n\s+at |unexpected error/.test(stderr);

/** A file outside the runs directory that no attack may change or reveal. */
function outsideFile(sandbox: Sandbox, name: string): string {
  return sandbox.write(name, OUTSIDE_TEXT);
}

function replaceWithLink(file: string, target: string): void {
  unlinkSync(file);
  symlinkSync(target, file);
}

describe('run files: no symlink followed, launches re-validated, config trusted, records private (issue 9: 7, 10, 11, 12; issue 10: 2, 3)', () => {
  let sandbox: Sandbox;
  beforeAll(() => {
    sandbox = createSandbox();
  });
  afterAll(() => sandbox.cleanup());

  it('stop replaces a stop-requested symlink instead of writing through it', async () => {
    const outside = outsideFile(sandbox, 'outside-stop.txt');
    const run = await startRun(sandbox, [EXAMPLE, '--name', 'linkstop', '--', '--steps', '100000000', '--step-time', '0.05']);
    await waitFor('the run to be running', () => sandbox.record(run.id).status.state === 'running');
    symlinkSync(outside, path.join(run.dir, 'stop-requested'));
    const result = await sandbox.cli(['stop', run.id, '--timeout', '20s']);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(outside, 'utf8')).toBe(OUTSIDE_TEXT);
    expect(sandbox.record(run.id).status.state).toBe('stopped');
  });

  it('the runner refuses to append through symlinked logs: the run fails saying so, the outside files are unchanged', async () => {
    const outOut = outsideFile(sandbox, 'outside-stdout.txt');
    const outErr = outsideFile(sandbox, 'outside-stderr.txt');
    const go = path.join(sandbox.dir, 'go-append');
    const script = sandbox.write('wait-then-fail.py', `import os, time\nwhile not os.path.exists(${JSON.stringify(go)}): time.sleep(0.02)\nraise SystemExit(3)\n`);
    const project = path.join(sandbox.dir, 'restarting');
    mkdirSync(project);
    writeFileSync(path.join(project, 'runs.config.json'), JSON.stringify({ runsDir: sandbox.runsDir, restart: { maxRestarts: 2, delayMs: 200 } }));
    const result = await sandbox.cli(['start', '--json', script, '--name', 'linkappend'], { cwd: project });
    expect(result.code, result.stderr).toBe(0);
    const run = JSON.parse(result.stdout);
    replaceWithLink(path.join(run.dir, 'stdout.log'), outOut);
    replaceWithLink(path.join(run.dir, 'stderr.log'), outErr);
    writeFileSync(go, '');
    const record = await waitFor('the run to end', () => {
      const r = sandbox.record(run.id);
      return r.status.state !== 'running' && r.status.state !== 'starting' ? r : null;
    });
    expect(readFileSync(outOut, 'utf8')).toBe(OUTSIDE_TEXT);
    expect(readFileSync(outErr, 'utf8')).toBe(OUTSIDE_TEXT);
    expect(record.status).toMatchObject({ state: 'failed', reason: expect.stringMatching(/stdout\.log is a symlink/) });
    expect(record.attempts).toHaveLength(1);
  });

  describe('logs, show and metrics do not read a symlinked log', () => {
    let run: { id: string; dir: string };
    beforeAll(async () => {
      const script = sandbox.write('fails.py', 'import sys\nprint("own line", flush=True)\nprint("own error", file=sys.stderr)\nraise SystemExit(1)\n');
      run = await startRun(sandbox, [script, '--name', 'linkread']);
      await waitFor('the run to fail', () => sandbox.record(run.id).status.state === 'failed');
      replaceWithLink(path.join(run.dir, 'stdout.log'), outsideFile(sandbox, 'outside-read-out.txt'));
      replaceWithLink(path.join(run.dir, 'stderr.log'), outsideFile(sandbox, 'outside-read-err.txt'));
    });

    it.each([[['logs']], [['logs', '--stderr']], [['logs', '--all']], [['logs', '-f']]])('rl-run %j: exit 1, one line naming the link, nothing read', async (args) => {
      const result = await sandbox.cli([...args, run.id]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/\.log is a symlink; rl-run does not follow links/);
      expect(oneLine(result.stderr)).toBe(true);
      expect(result.stdout).not.toMatch(/precious|loss/);
    });

    it('show prints the record and one warning instead of the linked stderr', async () => {
      const result = await sandbox.cli(['show', run.id]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/status\s+failed/);
      expect(result.stdout).not.toMatch(/precious|loss/);
      expect(result.stderr).toMatch(/stderr\.log is a symlink/);
      expect(oneLine(result.stderr)).toBe(true);
    });

    it('metrics warns about the link and reads no metric from it', async () => {
      const result = await sandbox.cli(['metrics', run.id, '--json']);
      expect(result.stdout).not.toMatch(/loss/);
      expect(result.stderr).toMatch(/stdout\.log.*not read: it is a symlink/);
    });
  });

  describe('restart re-validates the record it reads', () => {
    let old: { id: string; dir: string };
    let otherRuns: string;
    beforeAll(async () => {
      old = await startRun(sandbox, [EXAMPLE, '--name', 'revalidate', '--', '--steps', '2048', '--step-time', '0']);
      await waitFor('the run to end', () => sandbox.record(old.id).status.state === 'succeeded');
      // Two folders deep, so `../../escaped` would land in the sandbox itself.
      otherRuns = path.join(sandbox.dir, 'deep', 'er', 'runs');
      mkdirSync(otherRuns, { recursive: true });
    });

    it.each([
      ['a name that leaves the runs directory', { name: '../../escaped' }, /its record: the run name "\.\.\/\.\.\/escaped" is not a safe name/],
      ['an env key that adds a line', { env: { 'X\nrm -rf ~; Y': '1' } }, /its record: env key "X\\nrm -rf ~; Y" is not a valid variable name/],
      ['an env key with a semicolon', { env: { 'A;B': '1' } }, /env key "A;B" is not a valid variable name/],
    ])('%s: exit 2, one line, nothing created', async (_what, change, message) => {
      const dir = path.join(otherRuns, old.id);
      cpSync(old.dir, dir, { recursive: true });
      const record = JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8'));
      writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ ...record, ...change }));
      const before = [readdirSync(sandbox.dir).sort(), readdirSync(otherRuns).sort()];
      const result = await sandbox.cli(['restart', old.id, '--runs-dir', otherRuns]);
      expect(result).toMatchObject({ code: 2, stderr: expect.stringMatching(message) });
      expect(oneLine(result.stderr)).toBe(true);
      expect([readdirSync(sandbox.dir).sort(), readdirSync(otherRuns).sort()]).toEqual(before);
      expect(readdirSync(sandbox.dir).filter((name) => name.startsWith('escaped'))).toEqual([]);
    });
  });

  describe('a config found by searching upward is not code from a stranger', () => {
    const marker = () => path.join(sandbox.dir, 'config-ran');
    const evil = () => `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker())}, 'ran');\nexport default {};\n`;

    it.each([
      ['writable by every user (sticky, like /tmp)', 0o1777, 0],
      ['writable by its group', 0o775, 0],
      ['owned by another user', 0o755, NOBODY],
    ])('a folder %s ends the search: the config dropped there does not run', async (_what, mode, owner) => {
      const shared = path.join(sandbox.dir, `shared-${mode.toString(8)}-${owner}`);
      const project = path.join(shared, 'project');
      mkdirSync(project, { recursive: true });
      writeFileSync(path.join(shared, 'runs.config.mjs'), evil());
      chmodSync(shared, mode);
      chownSync(shared, owner, owner);
      const result = await sandbox.cli(['ls'], { cwd: project });
      expect(result.code, result.stderr).toBe(0);
      expect(existsSync(marker())).toBe(false);
      expect(result.stderr).toMatch(/warning: ignoring .*runs\.config\.mjs: its folder .* (writable by|owned by another user)/);
      expect(oneLine(result.stderr)).toBe(true);
    });

    it.each([
      ['owned by another user', 0o644, NOBODY, /owned by another user \(uid 65534\)/],
      ['writable by every user', 0o666, 0, /writable by every user/],
      ['writable by its group', 0o664, 0, /writable by its group/],
    ])('a config file %s is refused: exit 2, one line, not run', async (_what, mode, owner, reason) => {
      const project = path.join(sandbox.dir, `own-${mode.toString(8)}-${owner}`);
      mkdirSync(project);
      const file = path.join(project, 'runs.config.mjs');
      writeFileSync(file, evil());
      chmodSync(file, mode);
      chownSync(file, owner, owner);
      const result = await sandbox.cli(['ls'], { cwd: project });
      expect(result).toMatchObject({ code: 2, stderr: expect.stringMatching(/refusing to load .*runs\.config\.mjs: it /) });
      expect(result.stderr).toMatch(reason);
      expect(oneLine(result.stderr)).toBe(true);
      expect(existsSync(marker())).toBe(false);
    });
  });

  describe('config errors keep their place; a config that never finishes is an error', () => {
    it.each([
      ['a TypeScript syntax error', 'runs.config.ts', 'const a = 1;\nexport default { runsDir: ; };\n', {}, 2, /cannot load config: .*runs\.config\.ts:2:27: ParseError: Unexpected token/],
      ['a JSON trailing comma', 'runs.config.json', '{\n  "runsDir": "x",\n}\n', {}, 2, /cannot load config: .*runs\.config\.json:3:1: Expected double-quoted property name in JSON at position \d+$/m],
      ['an error thrown while it runs', 'runs.config.mjs', 'export default {};\nthrow new Error("boom");\n', {}, 2, /cannot load config: .*runs\.config\.mjs:2:7: boom/],
      ['a default export that never settles', 'runs.config.ts', 'export default new Promise(() => {});\n', {}, 1, /the command ended before it finished: .*never settles/],
      [
        'a default export that keeps Node busy forever',
        'runs.config.ts',
        'export default new Promise((resolve) => setTimeout(resolve, 3_600_000));\n',
        { RL_RUN_CONFIG_TIMEOUT_MS: '300' },
        2,
        /config .*runs\.config\.ts did not finish loading within 0\.3 s/,
      ],
      ['an unknown placeholder in the name template', 'runs.config.json', '{ "name": "{script}-{lr}" }', {}, 2, /bad config in .*: name: unknown placeholder \{lr\} in "\{script\}-\{lr\}" \(known: \{script\}, \{date\}, \{user\}\)/],
      ['an env key with a newline', 'runs.config.json', '{ "env": { "A\\nB": "1" } }', {}, 2, /bad config in .*: env: "A\\nB" is not a valid variable name/],
    ])('%s: one line, its exit code, nothing started', async (_what, file, text, env, code, message) => {
      const project = path.join(sandbox.dir, `config-${Math.random().toString(36).slice(2)}`);
      mkdirSync(project);
      writeFileSync(path.join(project, file), text);
      const daemons = processesWithPm2Home(sandbox.pm2Home).length;
      const result = await sandbox.cli(['start', EXAMPLE], { cwd: project, env });
      expect(result).toMatchObject({ code, stderr: expect.stringMatching(message) });
      expect(oneLine(result.stderr)).toBe(true);
      expect(readdirSync(project)).toEqual([file]);
      expect(processesWithPm2Home(sandbox.pm2Home).length).toBe(daemons);
    });
  });
});

describe('records, logs and the runs directory are private to the user, whatever the umask (issue 9, item 12)', () => {
  let sandbox: Sandbox;
  beforeAll(() => {
    sandbox = createSandbox();
  });
  afterAll(() => sandbox.cleanup());

  it('a start under umask 000, which the pm2 daemon inherits: 0700 folders, 0600 files', async () => {
    // A dirty git checkout, so git.diff is written too.
    const git = (...args: string[]) => collectOutput(spawn('git', args, { cwd: sandbox.dir, env: { ...sandbox.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } }));
    const tracked = sandbox.write('tracked.txt', 'a\n');
    await git('init', '-q');
    await git('add', 'tracked.txt');
    await git('commit', '-qm', 'x');
    writeFileSync(tracked, 'b\n');
    const child = spawn('sh', ['-c', `umask 000; exec "${process.execPath}" "${CLI}" start --json "${EXAMPLE}" --env WANDB_API_KEY=secret -- --steps 2048 --step-time 0`], {
      cwd: sandbox.dir,
      env: sandbox.env,
    });
    const result = await collectOutput(child);
    expect(result.code, result.stderr).toBe(0);
    const run = JSON.parse(result.stdout);
    await waitFor('the run to end', () => sandbox.record(run.id).status.state === 'succeeded');
    const mode = (file: string) => (statSync(file).mode & 0o777).toString(8);
    const modes = Object.fromEntries(
      ['.', 'run.json', 'stdout.log', 'stderr.log', 'runner.log', 'git.diff'].map((name) => [name, mode(path.join(run.dir, name))]),
    );
    expect({ runsDir: mode(sandbox.runsDir), ...modes }).toEqual({
      runsDir: '700',
      '.': '700',
      'run.json': '600',
      'stdout.log': '600',
      'stderr.log': '600',
      'runner.log': '600',
      'git.diff': '600',
    });
  });

  it.each([
    ['writable by every user', 0o777, 0, /the runs directory .* is writable by every user \(mode 777\): other users could tamper/],
    ['owned by another user', 0o700, NOBODY, /the runs directory .* is owned by another user \(uid 65534\)/],
  ])('a runs directory %s: one warning line', async (_what, mode, owner, message) => {
    const runsDir = path.join(sandbox.dir, `shared-runs-${owner}`);
    mkdirSync(runsDir);
    chmodSync(runsDir, mode);
    chownSync(runsDir, owner, owner);
    const result = await sandbox.cli(['ls', '--runs-dir', runsDir]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(message);
    expect(oneLine(result.stderr)).toBe(true);
  });
});
