import { spawn } from 'node:child_process';
import { killOwnChildGroup, sleep } from '../process/index.js';

/** Retries after the first try, and the wait before each: 3 retries with backoff. */
export const RETRY_DELAYS_MS = [1_000, 2_000, 4_000];
const WEBHOOK_TIMEOUT_MS = 10_000;
const COMMAND_TIMEOUT_MS = 60_000;

/** Runs `attempt` until it succeeds or the retries are spent; the errors of each failed try go to `log`. */
export async function withRetries(what: string, attempt: () => Promise<void>, log: (line: string) => void, delays = RETRY_DELAYS_MS): Promise<boolean> {
  for (let i = 0; ; i++) {
    try {
      await attempt();
      return true;
    } catch (error) {
      const last = i >= delays.length;
      log(`notify: ${what} failed (try ${i + 1} of ${delays.length + 1}): ${(error as Error).message}${last ? '; giving up' : ''}`);
      if (last) return false;
      await sleep(delays[i]!);
    }
  }
}

export async function postJson(url: string, body: unknown): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
  });
  // The body is drained so that the connection is freed.
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) throw new Error(`${url} answered ${response.status} ${response.statusText}`);
}

/** The command in a shell, with `env` added; fails on a non-zero exit or after COMMAND_TIMEOUT_MS. */
export function runShell(command: string, env: Record<string, string>, cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 2000) stderr += chunk.toString('utf8');
    });
    const timer = setTimeout(() => killOwnChildGroup(child), COMMAND_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`command ${signal ? `killed by ${signal}` : `exited ${code}`}${stderr.trim() ? `: ${stderr.trim().split('\n').pop()}` : ''}`));
    });
  });
}
