// Helpers for the reliability suite: a sandbox with its own PM2_HOME, the built CLI, /proc scans.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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
  const cli = (args, options = {}) =>
    new Promise((resolve, reject) => {
      const child = spawnCli(args, options);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
      });
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
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
export function processesWith(marker) {
  const pids = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (`${readFileSync(`/proc/${name}/environ`, 'latin1')}\0`.includes(marker) && isAlive(Number(name))) pids.push(Number(name));
    } catch {
      // gone
    }
  }
  return pids;
}

export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export async function killWhere(marker) {
  for (let round = 0; round < 50; round++) {
    const pids = processesWith(marker);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await sleep(50);
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

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

/** A complete record of an ended run, written straight into a runs directory. */
export function endedRecord(id, hostname) {
  return {
    schemaVersion: 1,
    id,
    name: id.replace(/-\d{8}-\d{6}-[0-9a-z]{6}$/, ''),
    backend: 'pm2',
    script: null,
    args: [],
    command: ['true'],
    cwd: '/',
    interpreter: null,
    tags: [],
    env: {},
    createdAt: '2025-01-01T00:00:00.000Z',
    status: { state: 'succeeded', endedAt: '2025-01-01T00:01:00.000Z', exitCode: 0 },
    launcher: { pid: 0 },
    hostname,
    user: 'test',
    rlRunVersion: '0.1.0',
    stopTimeoutMs: 30000,
    restart: { maxRestarts: 0, delayMs: 0 },
    attempts: [],
    config: {},
  };
}

/** "One line, no stack": what every failure must look like. */
export function oneLine(stderr) {
  return stderr.trim().split('\n').length === 1 && !/\n\s+at |unexpected error/.test(stderr);
}
