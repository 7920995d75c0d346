import { accessSync, constants, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { RuntimeError, describeError, errorCode } from '../../errors.js';
import { RUN_IDENTITY_VARIABLES } from '../../process/index.js';
import { withFileLock } from './lock.js';

type Pm2 = typeof import('pm2');

export function pm2Home(): string {
  return process.env.PM2_HOME ?? path.join(homedir(), '.pm2');
}

const CONNECT_TIMEOUT_MS = 30_000;

/**
 * Connects to the pm2 daemon (starting it if needed), runs `action`, and disconnects. pm2 is loaded
 * here and only here, when a command needs it: loading it costs ~200 ms that `ls` and `logs` need not pay.
 */
export async function withPm2<T>(action: (pm2: Pm2) => Promise<T>): Promise<T> {
  const home = pm2Home();
  assertUsableHome(home);
  let pm2: Pm2;
  try {
    pm2 = await withoutOwnRunIdentity(async () => {
      const loaded = ((await import('pm2')) as unknown as { default: Pm2 }).default;
      await withFileLock(path.join(home, 'rl-run.connect.lock'), CONNECT_TIMEOUT_MS * 2, () => connect(loaded));
      return loaded;
    });
  } catch (error) {
    throw new RuntimeError(
      `cannot reach or start the pm2 daemon (PM2_HOME=${home}): ${describeError(error)}; check that PM2_HOME is writable, or run 'npx pm2 kill' and try again`,
    );
  }
  try {
    return await action(pm2);
  } finally {
    pm2.disconnect();
  }
}

/**
 * pm2 spawns its daemon with this process's environment (lib/Client.js, launchDaemon). When
 * `rl-run start` runs inside a run (a sweep driver), that environment holds the run's RL_RUN_ID, and
 * the daemon, with every run it holds, was ended with the driver. The daemon is started without it.
 */
async function withoutOwnRunIdentity<T>(action: () => Promise<T>): Promise<T> {
  const saved: Record<string, string> = {};
  for (const key of RUN_IDENTITY_VARIABLES) {
    const value = process.env[key];
    if (value === undefined) continue;
    saved[key] = value;
    delete process.env[key];
  }
  try {
    return await action();
  } finally {
    Object.assign(process.env, saved);
  }
}

/**
 * pm2 creates its folders when its module loads and, when it cannot, prints a stack trace per
 * folder and goes on: check first, and say it in one line.
 */
function assertUsableHome(home: string): void {
  try {
    mkdirSync(home, { recursive: true });
    accessSync(home, constants.W_OK);
  } catch (error) {
    throw new RuntimeError(
      `cannot reach or start the pm2 daemon (PM2_HOME=${home}): ${errorCode(error) ?? describeError(error)}; check that PM2_HOME is writable, or unset it to use ~/.pm2`,
    );
  }
}

function connect(pm2: Pm2): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer after ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
    pm2.connect((error) => {
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    });
  });
}

export function pm2Call<T>(call: (done: (error: Error | null, result?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    call((error, result) => (error ? reject(error) : resolve(result as T)));
  });
}
