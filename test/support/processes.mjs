// Process helpers shared by the vitest suites, the reliability suite and the bench (plain JS so all
// three can load it). Everything they start carries a marker in its environment — the sandbox's
// PM2_HOME, or a run's RL_RUN_ID — so they end exactly their own processes, never by name.
import { readdirSync, readFileSync } from 'node:fs';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Pids of the processes whose environment contains `marker` (e.g. `PM2_HOME=/tmp/x\0`). */
export function processesWith(marker) {
  const pids = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (`${readFileSync(`/proc/${name}/environ`, 'latin1')}\0`.includes(marker)) pids.push(Number(name));
    } catch {
      // gone
    }
  }
  return pids;
}

/** SIGKILLs every process whose environment contains `marker`, until none is left. */
export async function killWhere(marker) {
  for (let round = 0; round < 50; round++) {
    const pids = processesWith(marker);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await sleep(50);
  }
}

/** Every process started under this PM2_HOME: the daemon, its runners, their scripts. */
export const processesWithPm2Home = (home) => processesWith(`PM2_HOME=${home}\0`);
export const killByPm2Home = (home) => killWhere(`PM2_HOME=${home}\0`);

/** Alive and not a zombie. */
export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** A complete record of a run that succeeded, as rl-run writes it, for registries made by hand. */
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

/** Everything a child process prints, and how it ended, once it has closed. */
export function collectOutput(child) {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
