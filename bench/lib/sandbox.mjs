import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectOutput, killByPm2Home, processesWithPm2Home } from '../../test/support/processes.mjs';
import { now } from './stats.mjs';

export { killByPm2Home, processesWithPm2Home };

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The CLI under test: the bench's own build (BENCH_DIST, set by run.mjs), else the repo's dist/. */
export function cliPath() {
  return path.resolve(ROOT, process.env.BENCH_DIST ?? 'dist', 'cli.js');
}
export const PM2_CLI = path.join(ROOT, 'node_modules', 'pm2', 'bin', 'pm2');
export const SCRIPTS = path.join(ROOT, 'bench', 'scripts');

/**
 * A temp directory for one benchmark, with its own PM2_HOMEs. Every process it starts carries one
 * of them in its environment, so cleanup ends exactly those (never by name) and removes the files.
 */
export function createSandbox(name) {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), `rl-run-bench-${name}-`)));
  const homes = [];
  const sandbox = {
    dir,
    /** An environment with a PM2_HOME of its own (one pm2 daemon per home). */
    env(home = 'pm2') {
      const pm2Home = path.join(dir, home);
      if (!homes.includes(pm2Home)) homes.push(pm2Home);
      const env = { ...process.env, PM2_HOME: pm2Home, RL_RUN_NO_USER_CONFIG: '1', NO_COLOR: '1' };
      delete env.RL_RUN_ID;
      return env;
    },
    async cleanup() {
      for (const home of homes) await killByPm2Home(home);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return sandbox;
}



export function sleep(msec) {
  return new Promise((resolve) => setTimeout(resolve, msec));
}

/** Runs a command to its end; resolves with its output and wall time measured from outside. */
export async function run(file, args, options = {}) {
  const started = now();
  const { code, signal, stdout, stderr } = await collectOutput(spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options }));
  return { code: code ?? signal, stdout, stderr, ms: now() - started };
}

/** Like `run`, but fails when the command does. */
export async function runOk(file, args, options = {}) {
  const result = await run(file, args, options);
  if (result.code !== 0) throw new Error(`${path.basename(file)} ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
  return result;
}

export const rlRun = (args, options) => runOk(process.execPath, [cliPath(), ...args], options);
export const pm2 = (args, options) => runOk(process.execPath, [PM2_CLI, ...args], options);

/** The pid of the pm2 daemon of a PM2_HOME, or null. */
export function daemonPid(env) {
  try {
    return Number(readFileSync(path.join(env.PM2_HOME, 'pm2.pid'), 'utf8').trim()) || null;
  } catch {
    return null;
  }
}

/** A field of /proc/<pid>/status in MB (VmRSS, VmHWM), or null when the process is gone. */
export function procStatusMb(pid, field) {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

export function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Polls until `condition` returns a truthy value; throws naming `what` after `timeoutMs`. */
export async function waitFor(what, condition, timeoutMs = 60_000, everyMs = 20) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
