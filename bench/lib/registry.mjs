import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const NAMES = ['ppo', 'sac', 'dqn', 'ppo-atari', 'td3'];
const BASE = Date.UTC(2026, 0, 1);

/** The run id of the i-th generated run: one a minute from 2026-01-01, so a larger i is newer. */
export function generatedId(i) {
  const at = new Date(BASE + i * 60_000);
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  const stamp = `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}-${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}`;
  return `${NAMES[i % NAMES.length]}-${stamp}-${(i * 7919).toString(36).padStart(6, '0').slice(-6)}`;
}

/** A finished run's record in the current shape (src/registry/record.ts), as rl-run writes it. */
export function generatedRecord(i) {
  const id = generatedId(i);
  const created = new Date(BASE + i * 60_000);
  const ended = new Date(created.getTime() + 3_600_000);
  const status =
    i % 10 === 3
      ? { state: 'failed', endedAt: ended.toISOString(), exitCode: 1, signal: null, reason: 'exited with code 1' }
      : i % 10 === 7
        ? { state: 'stopped', endedAt: ended.toISOString(), exitCode: null, signal: 'SIGINT' }
        : { state: 'succeeded', endedAt: ended.toISOString(), exitCode: 0 };
  const name = NAMES[i % NAMES.length];
  return {
    schemaVersion: 1,
    id,
    name,
    backend: 'pm2',
    script: `/home/user/project/${name}.py`,
    args: ['--seed', String(i % 5), '--lr', '3e-4'],
    command: ['python3', `/home/user/project/${name}.py`, '--seed', String(i % 5), '--lr', '3e-4'],
    cwd: '/home/user/project',
    interpreter: 'python3',
    tags: i % 3 === 0 ? ['sweep'] : [],
    env: {},
    createdAt: created.toISOString(),
    startedAt: new Date(created.getTime() + 400).toISOString(),
    status,
    launcher: { pid: 1000 + (i % 30000), startTime: 123456 },
    runner: { pid: 2000 + (i % 30000), startTime: 123457 },
    pid: 3000 + (i % 30000),
    pidStartTime: 123458,
    pm2Name: `rlrun-${id}`,
    hostname: 'bench-host',
    user: 'user',
    rlRunVersion: '0.1.0',
    git: { commit: '0123456789abcdef0123456789abcdef01234567', branch: 'main', dirty: false },
    stopTimeoutMs: 30000,
    restart: { maxRestarts: 0, delayMs: 0 },
    attempts: [{ startedAt: created.toISOString(), endedAt: ended.toISOString(), exitCode: status.exitCode ?? null, signal: status.signal ?? null }],
    config: { runsDir: '/home/user/project/runs' },
  };
}

/** Writes runs [from, to) into runsDir: a directory and its run.json each (ls reads nothing else). */
export function generateRuns(runsDir, from, to) {
  mkdirSync(runsDir, { recursive: true });
  for (let i = from; i < to; i++) {
    const record = generatedRecord(i);
    const dir = path.join(runsDir, record.id);
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'run.json'), `${JSON.stringify(record, null, 2)}\n`);
  }
}
