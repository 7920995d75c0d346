import { fileURLToPath } from 'node:url';
import { RuntimeError, describeError } from '../../errors.js';
import { writeFileAtomic } from '../../registry/atomic.js';
import { isAlive } from '../../registry/process.js';
import { type RunRecord, isEnded } from '../../registry/record.js';
import type { Registry, StoredRun } from '../../registry/registry.js';
import { createExclusive } from '../../registry/safe-fs.js';
import { PRESERVED_PREFIX } from '../../runner/env.js';
import { findRunProcesses, signalAll } from '../process-tree.js';
import type { StopOutcome, Supervisor } from '../types.js';
import { pm2Call, withPm2 } from './client.js';

export const PM2_NAMESPACE = 'rl-run';
export const PM2_NAME_PREFIX = 'rlrun-';

export function pm2NameFor(id: string): string {
  return `${PM2_NAME_PREFIX}${id}`;
}

/** dist/supervisor/pm2/supervisor.js → dist/runner/main.js */
function runnerScript(): string {
  return fileURLToPath(new URL('../../runner/main.js', import.meta.url));
}

/** Variables whose names pm2 takes for itself travel under a prefix the runner strips. */
function pm2Env(env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    const clashes = /^(pm_|PM2_|axm_)/.test(key) || ['name', 'namespace', 'args', 'env', 'version', 'status', 'cwd', 'time'].includes(key);
    out[clashes ? `${PRESERVED_PREFIX}${key}` : key] = value;
  }
  return out;
}

const POLL_MS = 20;
const AFTER_KILL_MS = 5_000;

export class Pm2Supervisor implements Supervisor {
  readonly backend = 'pm2' as const;

  constructor(private readonly registry: Registry) {}

  async start(run: StoredRun, env: Record<string, string>): Promise<void> {
    const { record, layout } = run;
    // pm2 opens runner.log itself, following links: made here first, private and a regular file.
    createExclusive(layout.runnerLog);
    await withPm2((pm2) =>
      pm2Call((done) =>
        pm2.start(
          {
            name: record.pm2Name ?? pm2NameFor(record.id),
            namespace: PM2_NAMESPACE,
            script: runnerScript(),
            args: [layout.dir],
            interpreter: process.execPath,
            cwd: record.cwd,
            // The runner applies the restart policy itself, so attempts stay inside one run.
            autorestart: false,
            env: pm2Env(env),
            output: layout.runnerLog,
            error: layout.runnerLog,
            merge_logs: true,
            // pm2's own stop must not cut the script's checkpointing short (default: 1.6 s).
            kill_timeout: record.stopTimeoutMs + 5_000,
            // pm2 wraps a node script in its ProcessContainerFork, which by default first requires
            // @pm2/io's agent (pm2-io-bpm): ~25 ms of CPU measured on every start, before our
            // runner can spawn the script, for monitoring it never reports (bench: start row).
            pmx: false,
            automation: false,
          } as never,
          done as never,
        ),
      ),
    ).catch((error) => {
      if (error instanceof RuntimeError) throw error;
      throw new RuntimeError(`pm2 could not start the run: ${describeError(error)}`);
    });
  }

  async stop(run: StoredRun, timeoutMs: number): Promise<StopOutcome> {
    const { record, layout } = run;
    if (isEnded(record.status)) return 'already-ended';
    // Renamed into place: a symlink planted as stop-requested is replaced, never written through.
    writeFileAtomic(layout.stopRequest, `${new Date().toISOString()}\n`);
    const script = record.pid ? { pid: record.pid, startTime: record.pidStartTime } : undefined;
    if (script && isAlive(script)) signalAll([script.pid], 'SIGINT');
    else if (record.runner && isAlive(record.runner)) signalAll([record.runner.pid], 'SIGINT');

    if (await this.waitForEnd(record.id, timeoutMs)) return 'stopped';
    // Grace is over: everything that carries the run's id, or descends from the script, goes.
    const runnerPid = record.runner?.pid;
    const current = this.registry.readRaw(record.id);
    const pid = current.ok ? current.run.record.pid : record.pid;
    const pids = findRunProcesses(record.id, pid).filter((p) => p !== runnerPid);
    signalAll(pids, 'SIGKILL');
    if (await this.waitForEnd(record.id, AFTER_KILL_MS)) return 'killed';
    // Nobody recorded the end (the runner is gone too): record it ourselves.
    this.registry.update(record.id, (r) => (isEnded(r.status) ? r : { ...r, status: { state: 'stopped', endedAt: new Date().toISOString(), exitCode: null, signal: 'SIGKILL' } }));
    return 'killed';
  }

  /** Polls the record until it says the run ended; false at the deadline. */
  private async waitForEnd(id: string, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const current = this.registry.readRaw(id);
      if (current.ok && isEnded(current.run.record.status)) return true;
      if (current.ok && this.processesGone(current.run.record)) return false;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  private processesGone(record: RunRecord): boolean {
    const script = record.pid ? isAlive({ pid: record.pid, startTime: record.pidStartTime }) : false;
    return !script && !isAlive(record.runner) && !isAlive(record.launcher);
  }
}
