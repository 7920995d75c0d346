import { type SpawnOptions, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectOutput, isAlive, killByPm2Home, processesWithPm2Home } from '../support/processes.mjs';

export { isAlive, killByPm2Home, processesWithPm2Home };

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = path.join(ROOT, 'dist', 'cli.js');
export const EXAMPLE = path.join(ROOT, 'examples', 'train.py');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A temp directory with its own PM2_HOME and runs directory. Everything a test starts carries that
 * PM2_HOME in its environment, so `cleanup` ends exactly those processes (the pm2 daemon, our
 * runners, the scripts) and nothing else on the machine.
 */
export interface Sandbox {
  dir: string;
  pm2Home: string;
  runsDir: string;
  env: NodeJS.ProcessEnv;
  cli(args: string[], options?: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string }): Promise<CliResult>;
  /** Starts the CLI and returns the child, for commands that keep running (logs -f). */
  spawnCli(args: string[], options?: SpawnOptions): ReturnType<typeof spawn>;
  write(file: string, text: string): string;
  record(id: string): Record<string, any>;
  cleanup(): Promise<void>;
}

export function createSandbox(prefix = 'rl-run-test-'): Sandbox {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), prefix)));
  const pm2Home = path.join(dir, '.pm2');
  const runsDir = path.join(dir, 'runs');
  const env: NodeJS.ProcessEnv = { ...process.env, PM2_HOME: pm2Home, RL_RUN_NO_USER_CONFIG: '1', NO_COLOR: '1' };
  delete env.RL_RUN_ID;
  const sandbox: Sandbox = {
    dir,
    pm2Home,
    runsDir,
    env,
    cli: async (args, options = {}) => {
      const child = spawn(process.execPath, [CLI, ...args], {
        cwd: options.cwd ?? dir,
        env: { ...env, ...options.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      child.stdin.end(options.input ?? '');
      const { code, stdout, stderr } = await collectOutput(child);
      return { code: code ?? -1, stdout, stderr };
    },
    spawnCli: (args, options = {}) =>
      spawn(process.execPath, [CLI, ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], ...options }),
    write: (file, text) => {
      const full = path.join(dir, file);
      writeFileSync(full, text);
      return full;
    },
    record: (id) => JSON.parse(readFileSync(path.join(runsDir, id, 'run.json'), 'utf8')),
    cleanup: async () => {
      await killByPm2Home(pm2Home);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return sandbox;
}



/** Polls `condition` until it returns a truthy value; fails with `what` after `timeoutMs`. */
type Falsy = false | null | undefined | 0 | '';

export async function waitFor<T>(what: string, condition: () => T | Promise<T>, timeoutMs = 20_000): Promise<Exclude<T, Falsy>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as Exclude<T, Falsy>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}


/** `rl-run start --json` → its parsed output; fails the test with the CLI's stderr otherwise. */
export async function startRun(sandbox: Sandbox, args: string[]): Promise<{ id: string; name: string; dir: string; pm2Name: string }> {
  const result = await sandbox.cli(['start', '--json', ...args]);
  if (result.code !== 0) throw new Error(`rl-run start failed (${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** Runs the CLI and parses its JSON output; fails the test with the CLI's stderr when it did not succeed. */
export async function cliJson<T = any>(sandbox: Sandbox, args: string[]): Promise<T> {
  const result = await sandbox.cli(args);
  if (result.code !== 0) throw new Error(`rl-run ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`rl-run ${args.join(' ')} printed no JSON: stdout=${JSON.stringify(result.stdout)} stderr=${JSON.stringify(result.stderr)}`);
  }
}

export const PM2_CLI = path.join(ROOT, 'node_modules', 'pm2', 'bin', 'pm2');

/** The pm2 command line, as a user would type it, against the sandbox's own daemon. */
export function pm2(sandbox: Sandbox, ...args: string[]): string {
  return execFileSync(process.execPath, [PM2_CLI, ...args], { env: sandbox.env, encoding: 'utf8' });
}
