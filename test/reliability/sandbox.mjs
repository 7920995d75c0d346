// Helpers for the reliability suite: a sandbox with its own PM2_HOME, the built CLI, /proc scans.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectOutput, endedRecord, isAlive, killWhere, processesWith, sleep } from '../support/processes.mjs';

export { endedRecord, isAlive, killWhere, processesWith, sleep };

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = path.join(ROOT, 'dist', 'cli.js');
export const PM2_CLI = path.join(ROOT, 'node_modules', 'pm2', 'bin', 'pm2');

export function createSandbox(prefix = 'rl-run-reliability-') {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), prefix)));
  const pm2Home = path.join(dir, '.pm2');
  const runsDir = path.join(dir, 'runs');
  const env = { ...process.env, PM2_HOME: pm2Home, RL_RUN_NO_USER_CONFIG: '1', NO_COLOR: '1' };
  delete env.RL_RUN_ID;
  const spawnCli = (args, options = {}) =>
    spawn(process.execPath, [CLI, ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], ...options });
  const cli = async (args, options = {}) => {
    const { code, stdout, stderr } = await collectOutput(spawnCli(args, options));
    return { code: code ?? -1, stdout, stderr };
  };
  return {
    dir,
    pm2Home,
    runsDir,
    env,
    cli,
    spawnCli,
    write(file, text) {
      const full = path.join(dir, file);
      writeFileSync(full, text);
      return full;
    },
    record(id) {
      return JSON.parse(readFileSync(path.join(runsDir, id, 'run.json'), 'utf8'));
    },
    async cleanup() {
      await killWhere(`PM2_HOME=${pm2Home}\0`);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Live (non-zombie) processes whose environment contains `marker` (e.g. `RL_RUN_ID=<id>\0`). */




/** Polls `condition` until truthy; throws naming `what` after `timeoutMs`. */
export async function waitFor(what, condition, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

export async function lsJson(sandbox, args = []) {
  const result = await sandbox.cli(['ls', '--json', ...args]);
  if (result.code !== 0) throw new Error(`ls failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}


/** "One line, no stack": what every failure must look like. */
export function oneLine(stderr) {
  return stderr.trim().split('\n').length === 1 && !/\n\s+at |unexpected error/.test(stderr);
}

/** Runs `action` in a fresh sandbox and always cleans it up (its pm2 daemon included). */
export async function withSandbox(action) {
  const sandbox = createSandbox();
  try {
    return await action(sandbox);
  } finally {
    await sandbox.cleanup();
  }
}

/** `rl-run start --json …`: the started run ({id, name, dir, pm2Name}), or an error saying why not. */
export async function startJson(sandbox, args, options) {
  const result = await sandbox.cli(['start', '--json', ...args], options);
  if (result.code !== 0) throw new Error(`start failed (${result.code}): ${result.stderr.trim()}`);
  return JSON.parse(result.stdout);
}
